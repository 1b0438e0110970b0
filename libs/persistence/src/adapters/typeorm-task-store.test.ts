import type { TaskRecord } from '@wharf/registry-core';
import { beforeEach, expect, it } from 'vitest';
import { describeOnEachDialect } from '../../test/database';
import { TaskEntity } from '../entities';
import { TypeOrmCleanupPolicies } from './typeorm-cleanup-policies';
import { TypeOrmTaskStore } from './typeorm-task-store';
import { TypeOrmUsageSamples } from './typeorm-usage-samples';

const TASK: TaskRecord = {
  id: 'cleanup',
  type: 'repository.cleanup',
  name: 'Cleanup',
  schedule: { type: 'daily', time: '02:00' },
  properties: { gracePeriodMinutes: 120 },
  nextRunAt: new Date('2030-01-02T02:00:00Z'),
  leaseOwner: null,
  leaseExpiresAt: null,
  stopRequested: false,
};

describeOnEachDialect('task, policy and usage stores', (db) => {
  let tasks: TypeOrmTaskStore;

  beforeEach(() => {
    tasks = new TypeOrmTaskStore(db());
  });

  it('creates missing tasks only, and changes their settings', async () => {
    await tasks.ensure([TASK]);
    await tasks.configure('cleanup', { properties: { gracePeriodMinutes: 5 } });
    await tasks.ensure([{ ...TASK, name: 'renamed' }]);
    const got = await tasks.get('cleanup');
    expect(got).toMatchObject({ name: 'Cleanup', properties: { gracePeriodMinutes: 5 }, schedule: { type: 'daily', time: '02:00' }, stopRequested: false });
    expect(got?.nextRunAt?.toISOString()).toBe('2030-01-02T02:00:00.000Z');
    expect((await tasks.list()).map((t) => t.id)).toEqual(['cleanup']);
  });

  it('gives the lease to one owner at a time, until it is released or runs out', async () => {
    await tasks.ensure([TASK]);
    const [a, b] = await Promise.all([tasks.acquire('cleanup', 'a', 60_000), tasks.acquire('cleanup', 'b', 60_000)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    const owner = a ? 'a' : 'b';
    const other = a ? 'b' : 'a';
    expect(await tasks.renew('cleanup', owner, 60_000)).toEqual({ stopRequested: false });
    expect(await tasks.renew('cleanup', other, 60_000)).toBeNull();
    expect(await tasks.requestStop('cleanup')).toBe(true);
    expect(await tasks.renew('cleanup', owner, 60_000)).toEqual({ stopRequested: true });
    await tasks.release('cleanup', owner, new Date('2030-01-03T02:00:00Z'));
    expect(await tasks.requestStop('cleanup')).toBe(false);
    expect((await tasks.get('cleanup'))?.nextRunAt?.toISOString()).toBe('2030-01-03T02:00:00.000Z');
    // a lease that ran out (its process died) can be taken
    expect(await tasks.acquire('cleanup', other, 60_000)).toBe(true);
    await db().getRepository(TaskEntity).update({ id: 'cleanup' }, { leaseExpiresAt: new Date(Date.now() - 1000) });
    expect(await tasks.acquire('cleanup', owner, 60_000)).toBe(true);
  });

  it('keeps runs with their result, summary and log; marks the runs of a dead process interrupted; prunes old runs', async () => {
    await tasks.ensure([TASK]);
    await tasks.acquire('cleanup', 'a', 60_000);
    const first = await tasks.startRun('cleanup', new Date('2030-01-01T00:00:00Z'));
    await tasks.finishRun(first, 'OK', { blobsDeleted: 3 }, 'line 1\nline 2');
    const second = await tasks.startRun('cleanup', new Date('2030-01-02T00:00:00Z'));
    expect(await tasks.interruptOrphans()).toBe(0);
    await db().getRepository(TaskEntity).update({ id: 'cleanup' }, { leaseExpiresAt: new Date(Date.now() - 1000) });
    expect(await tasks.interruptOrphans()).toBe(1);
    const runs = await tasks.runs('cleanup', 10);
    expect(runs.map((r) => [r.id, r.result])).toEqual([
      [second, 'INTERRUPTED'],
      [first, 'OK'],
    ]);
    expect(runs[1]).toMatchObject({ summary: { blobsDeleted: 3 }, log: 'line 1\nline 2' });
    for (let i = 0; i < 5; i += 1) await tasks.startRun('cleanup', new Date());
    await tasks.pruneRuns('cleanup', 3);
    expect((await tasks.runs('cleanup', 10)).length).toBe(3);
  });

  it('abandons the leases and runs a dead process left (a start on a database no other process uses)', async () => {
    await tasks.ensure([TASK, { ...TASK, id: 'upload-purge' }]);
    await tasks.acquire('cleanup', 'dead', 60_000);
    const running = await tasks.startRun('cleanup', new Date());
    expect(await tasks.acquire('cleanup', 'next', 60_000)).toBe(false);
    expect(await tasks.abandonLeases()).toBe(1);
    expect((await tasks.runs('cleanup', 1)).map((r) => [r.id, r.result])).toEqual([[running, 'INTERRUPTED']]);
    expect((await tasks.runs('cleanup', 1))[0]!.finishedAt).not.toBeNull();
    expect(await tasks.acquire('cleanup', 'next', 60_000)).toBe(true);
    expect(await tasks.abandonLeases()).toBe(0);
  });

  it('stores cleanup policies by name', async () => {
    const policies = new TypeOrmCleanupPolicies(db());
    await policies.save({ name: 'old-prs', notes: 'PR builds', format: 'docker', criteria: { regex: '.*:pr-.*', lastBlobUpdated: 7 } });
    await policies.save({ name: 'Keep10', notes: '', format: 'docker', criteria: { retain: 10 } });
    expect((await policies.list()).map((p) => p.name)).toEqual(['Keep10', 'old-prs']);
    expect(await policies.get('old-prs')).toEqual({ name: 'old-prs', notes: 'PR builds', format: 'docker', criteria: { regex: '.*:pr-.*', lastBlobUpdated: 7 } });
    await policies.save({ name: 'old-prs', notes: '', format: 'docker', criteria: { untagged: true } });
    expect((await policies.get('old-prs'))?.criteria).toEqual({ untagged: true });
    expect(await policies.delete('old-prs')).toBe(true);
    expect(await policies.delete('old-prs')).toBe(false);
  });

  it('keeps usage samples in time order and prunes old ones', async () => {
    const samples = new TypeOrmUsageSamples(db());
    const big = 6 * 1024 ** 3;
    await samples.record({ store: 'default', at: new Date('2030-01-01T00:00:00Z'), blobCount: 10, totalBytes: big, availableBytes: null });
    await samples.record({ store: 'default', at: new Date('2030-01-02T00:00:00Z'), blobCount: 12, totalBytes: big + 1, availableBytes: 5 });
    await samples.record({ store: 's3', at: new Date('2030-01-02T00:00:00Z'), blobCount: 1, totalBytes: 1, availableBytes: null });
    expect((await samples.since('default', new Date('2029-12-31T00:00:00Z'))).map((s) => s.totalBytes)).toEqual([big, big + 1]);
    expect(await samples.latest('default')).toEqual({ store: 'default', at: new Date('2030-01-02T00:00:00Z'), blobCount: 12, totalBytes: big + 1, availableBytes: 5 });
    await samples.prune(new Date('2030-01-01T12:00:00Z'));
    expect((await samples.since('default', new Date(0))).length).toBe(1);
  });
});
