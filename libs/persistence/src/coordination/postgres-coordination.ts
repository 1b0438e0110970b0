import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  ChangeFeed,
  type ChangeListener,
  type ChangeTopic,
  EVERYTHING,
  KeyedMutex,
  type SharedLock,
  SharedLocks,
} from '@wharf/registry-core';
import type { Client, Notification } from 'pg';
import type { DataSource } from 'typeorm';

const CHANGES = 'wharf_changes';
const UNLOCKED = 'wharf_unlocked';
/** A waiter asks again this often even when no release was announced (the holder may have died). */
const POLL_MS = 1_000;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

export interface CoordinationOptions {
  /** Problems worth an operator's attention (connection lost, a change not announced). */
  warn?: (message: string) => void;
}

/**
 * Change feed and shared locks of the Wharf processes sharing one PostgreSQL database, over one
 * dedicated connection per process: it LISTENs for changes and holds the session advisory locks
 * (`pg_try_advisory_lock`), so a process that dies — killed, crashed, cut off — frees its locks the
 * moment PostgreSQL sees its connection close. Changes are announced with NOTIFY through the pool
 * (delivered after the announcing statement commits). When the connection drops, it comes back by
 * itself and every subscriber is told {@link EVERYTHING}, since announcements may have been missed.
 */
export class PostgresCoordination {
  readonly changes: ChangeFeed;
  readonly locks: SharedLocks;
  private readonly origin = randomBytes(8).toString('hex');
  private readonly listeners = new Map<ChangeTopic, ChangeListener[]>();
  private readonly queues = new Map<ChangeTopic, Promise<void>>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly mutex = new KeyedMutex();
  /** Keys locked on the current connection. */
  private readonly held = new Set<string>();
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private closed = false;
  private everConnected = false;
  private heldBack: Notification[] | null = [];
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly warn: (message: string) => void;

  private constructor(
    private readonly url: string,
    private readonly db: DataSource,
    options: CoordinationOptions,
  ) {
    this.warn = options.warn ?? (() => undefined);
    const publish = (topic: ChangeTopic, detail: string) => this.publish(topic, detail);
    const subscribe = (topic: ChangeTopic, listener: ChangeListener) => this.listeners.set(topic, [...(this.listeners.get(topic) ?? []), listener]);
    const acquire = (key: string) => this.acquire(key);
    this.changes = new (class extends ChangeFeed {
      publish(topic: ChangeTopic, detail: string): Promise<void> {
        return publish(topic, detail);
      }
      subscribe(topic: ChangeTopic, listener: ChangeListener): void {
        subscribe(topic, listener);
      }
    })();
    this.locks = new (class extends SharedLocks {
      acquire(key: string): Promise<SharedLock> {
        return acquire(key);
      }
    })();
  }

  /** Connects (and LISTENs) before returning: a process that cannot coordinate does not start. */
  static async start(url: string, db: DataSource, options: CoordinationOptions = {}): Promise<PostgresCoordination> {
    const coordination = new PostgresCoordination(url, db, options);
    await coordination.connection();
    return coordination;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const wake of [...this.waiters.values()].flatMap((set) => [...set])) wake();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  // --- changes ------------------------------------------------------------------------------------

  private async publish(topic: ChangeTopic, detail: string): Promise<void> {
    try {
      await this.db.query('SELECT pg_notify($1, $2)', [CHANGES, `${this.origin}\n${topic}\n${detail}`]);
    } catch (err) {
      this.warn(`the other replicas were not told of a change (${topic} ${detail}): ${(err as Error).message}`);
    }
  }

  /**
   * Starts calling listeners. Changes announced from the start of the connection until then (while the
   * process loaded what it keeps in memory and subscribed) are held back and delivered now, so none is lost.
   */
  resume(): void {
    const held = this.heldBack ?? [];
    this.heldBack = null;
    for (const message of held) this.received(message);
  }

  private received(message: Notification): void {
    if (message.channel === UNLOCKED) return this.wake(message.payload ?? '');
    if (this.heldBack) return void this.heldBack.push(message);
    const [origin, topic, ...rest] = (message.payload ?? '').split('\n');
    if (origin === this.origin || !topic) return;
    this.deliver(topic as ChangeTopic, rest.join('\n'));
  }

  /** Listeners of a topic run one change at a time, in the order announced. */
  private deliver(topic: ChangeTopic, detail: string): void {
    const listeners = this.listeners.get(topic);
    if (!listeners) return;
    const run = async () => {
      for (const listener of listeners) {
        try {
          await listener(detail);
        } catch (err) {
          this.warn(`refreshing ${topic} ${detail} after a change on another replica failed: ${(err as Error).message}`);
        }
      }
    };
    const next = (this.queues.get(topic) ?? Promise.resolve()).then(run);
    this.queues.set(topic, next);
    void next.then(() => {
      if (this.queues.get(topic) === next) this.queues.delete(topic);
    });
  }

  // --- locks --------------------------------------------------------------------------------------

  private async acquire(key: string): Promise<SharedLock> {
    // One holder per key in this process first: PostgreSQL's session locks are re-entrant, so two holders
    // here would both "get" the lock on the one connection.
    const releaseHere = await this.mutex.acquire(key);
    let client: Client;
    try {
      client = await this.lockEverywhere(key);
    } catch (err) {
      releaseHere();
      throw err;
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await this.unlock(key, client);
        } finally {
          releaseHere();
        }
      },
    };
  }

  private async lockEverywhere(key: string): Promise<Client> {
    for (;;) {
      if (this.closed) throw new Error('shutting down: no shared lock is handed out');
      // Listening before asking, so a release between the two is not missed.
      const waiting = this.waitFor(key);
      try {
        const client = await this.tryLock(key);
        if (client) return client;
        await waiting.woken;
      } finally {
        waiting.cancel();
      }
    }
  }

  /** The connection the lock was taken on, or null when another process holds it (or the connection failed). */
  private async tryLock(key: string): Promise<Client | null> {
    try {
      const client = await this.connection();
      const result = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [lockName(key)]);
      // Taken on a connection that has been replaced since: that lock went with it.
      if (!result.rows[0]?.ok || this.client !== client) return null;
      this.held.add(key);
      return client;
    } catch {
      return null;
    }
  }

  /** Resolves when `key` is announced released, or after POLL_MS. */
  private waitFor(key: string): { woken: Promise<void>; cancel(): void } {
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const set = this.waiters.get(key) ?? new Set();
    set.add(wake);
    this.waiters.set(key, set);
    const timer = setTimeout(wake, POLL_MS);
    return {
      woken,
      cancel: () => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
      },
    };
  }

  private async unlock(key: string, client: Client): Promise<void> {
    if (this.client === client && this.held.delete(key)) {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockName(key)]).catch(() => undefined);
    }
    // Waiters here are woken at once; other processes when the announcement arrives (or at their next poll).
    this.wake(key);
    await this.db.query('SELECT pg_notify($1, $2)', [UNLOCKED, key]).catch(() => undefined);
  }

  private wake(key: string): void {
    for (const wake of this.waiters.get(key) ?? []) wake();
  }

  // --- the connection -----------------------------------------------------------------------------

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    if (this.closed) return Promise.reject(new Error('closed'));
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const pg = createRequire(__filename)('pg') as typeof import('pg');
    const client = new pg.Client({ connectionString: this.url, application_name: 'wharf-coordination' });
    client.on('notification', (message) => this.received(message));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection closed')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES}; LISTEN ${UNLOCKED}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.client = client;
    this.reconnectDelay = RECONNECT_MIN_MS;
    if (reconnected) {
      // Whatever was announced while the connection was down is lost: everyone refreshes everything.
      for (const topic of this.listeners.keys()) this.deliver(topic, EVERYTHING);
    }
    return client;
  }

  private lost(client: Client, err: Error): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.held.size > 0) this.warn(`lost the coordination connection while holding ${this.held.size} shared lock(s): ${err.message}`);
    else if (!this.closed) this.warn(`lost the coordination connection: ${err.message}; reconnecting`);
    this.held.clear();
    client.end().catch(() => undefined);
    // Waiters try again on the new connection.
    for (const wake of [...this.waiters.values()].flatMap((set) => [...set])) wake();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connection().catch((err: Error) => {
        this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
        this.warn(`coordination connection not re-established: ${err.message}; retrying in ${this.reconnectDelay} ms`);
        this.scheduleReconnect();
      });
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
  }
}

/** Advisory lock names of Wharf's shared locks: apart from the keys other statements lock. */
function lockName(key: string): string {
  return `wharf-shared-lock:${key}`;
}
