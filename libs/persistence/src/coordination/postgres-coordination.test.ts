import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeTestDatabase, openTestDatabase } from '../../test/database';
import { PostgresCoordination } from './postgres-coordination';

/** Resolves once `check` holds (polling), failing after `ms`. */
async function eventually(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const settled = (p: Promise<unknown>) => {
  const state = { done: false };
  void p.then(() => (state.done = true), () => (state.done = true));
  return state;
};

// Two PostgresCoordination instances on one database stand for two Wharf processes (each has its own
// coordination connection, as a replica does).
describe('PostgresCoordination: change feed and shared locks between processes', () => {
  let db: DataSource;
  let url: string;
  const opened: PostgresCoordination[] = [];
  const warnings: string[] = [];

  async function process(): Promise<PostgresCoordination> {
    const c = await PostgresCoordination.start(url, db, { warn: (m) => warnings.push(m) });
    c.resume();
    opened.push(c);
    return c;
  }

  /** Backend pids of the coordination connections, by whether they hold an advisory lock. */
  async function coordinationPids(): Promise<{ pid: number; locks: number }[]> {
    return db.query(
      `SELECT a.pid, (SELECT COUNT(*) FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)::int AS locks
       FROM pg_stat_activity a WHERE a.application_name = 'wharf-coordination' AND a.datname = current_database()`,
    );
  }

  beforeEach(async () => {
    db = await openTestDatabase('postgres');
    url = (db.options as { url: string }).url;
    warnings.length = 0;
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
    await closeTestDatabase(db);
  });

  it('tells the other processes of a change, in order, and not the process that made it', async () => {
    const a = await process();
    const b = await process();
    const seenByA: string[] = [];
    const seenByB: string[] = [];
    a.changes.subscribe('users', (d) => void seenByA.push(d));
    b.changes.subscribe('users', async (d) => {
      // A slow listener: the next change waits for it.
      await new Promise((r) => setTimeout(r, 20));
      seenByB.push(d);
    });
    b.changes.subscribe('roles', (d) => void seenByB.push(`role ${d}`));
    await a.changes.publish('users', 'alice');
    await a.changes.publish('users', 'bob');
    await a.changes.publish('roles', 'dev');
    await a.changes.publish('users', 'carol');
    await eventually('three user changes at B', () => seenByB.filter((d) => !d.startsWith('role')).length === 3);
    expect(seenByB.filter((d) => !d.startsWith('role'))).toEqual(['alice', 'bob', 'carol']);
    expect(seenByB).toContain('role dev');
    expect(seenByA).toEqual([]);
  });

  it('holds back changes announced before the process resumed (while it loaded its state), then delivers them', async () => {
    const a = await process();
    const b = await PostgresCoordination.start(url, db);
    opened.push(b);
    await a.changes.publish('settings', 'security.anonymous');
    await new Promise((r) => setTimeout(r, 100));
    const seen: string[] = [];
    b.changes.subscribe('settings', (d) => void seen.push(d));
    expect(seen).toEqual([]);
    b.resume();
    await eventually('the held-back change', () => seen.length === 1);
    expect(seen).toEqual(['security.anonymous']);
  });

  it('lets one process hold a key; the other gets it once released', async () => {
    const a = await process();
    const b = await process();
    const held = await a.locks.acquire('blob:default:sha256:1');
    const waiting = b.locks.acquire('blob:default:sha256:1');
    const state = settled(waiting);
    // Another key is free meanwhile.
    await (await b.locks.acquire('blob:default:sha256:2')).release();
    await new Promise((r) => setTimeout(r, 200));
    expect(state.done).toBe(false);
    await held.release();
    const got = await waiting;
    await got.release();
    await got.release(); // twice is harmless
  });

  it('makes holders of one key in the same process take turns (the database lock alone would let both in)', async () => {
    const a = await process();
    const first = await a.locks.acquire('k');
    const second = a.locks.acquire('k');
    const state = settled(second);
    await new Promise((r) => setTimeout(r, 100));
    expect(state.done).toBe(false);
    await first.release();
    await (await second).release();
  });

  it('frees the locks of a process whose connection dies (a killed replica), and the waiter goes on', async () => {
    const a = await process();
    const b = await process();
    await a.locks.acquire('fill');
    const waiting = b.locks.acquire('fill');
    const holder = (await coordinationPids()).find((p) => p.locks > 0);
    expect(holder).toBeDefined();
    await db.query('SELECT pg_terminate_backend($1)', [holder!.pid]);
    await (await waiting).release();
    await eventually('a warning about the lost lock', () => warnings.some((w) => w.includes('holding 1 shared lock')));
  });

  it('reconnects after losing its connection and tells its listeners to refresh everything', async () => {
    const a = await process();
    const seen: string[] = [];
    a.changes.subscribe('repositories', (d) => void seen.push(d));
    const [only] = await coordinationPids();
    await db.query('SELECT pg_terminate_backend($1)', [only!.pid]);
    await eventually('a refresh of everything', () => seen.includes('*'));
    // The new connection listens again: a change from another process arrives.
    const b = await process();
    await b.changes.publish('repositories', 'docker-hosted');
    await eventually('the change after the reconnect', () => seen.includes('docker-hosted'));
    // And locks work on it.
    await (await a.locks.acquire('after')).release();
  });
});
