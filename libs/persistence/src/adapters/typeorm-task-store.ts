import { type TaskRecord, type TaskResult, type TaskRunRecord, type TaskSchedule, TaskStore } from '@wharf/registry-core';
import { type DataSource, In, LessThan, type Repository } from 'typeorm';
import { TaskEntity, TaskRunEntity } from '../entities';
import { Atomic } from '../sql/atomic';

export class TypeOrmTaskStore extends TaskStore {
  private readonly tasks: Repository<TaskEntity>;
  private readonly runRows: Repository<TaskRunEntity>;
  private readonly atomic: Atomic;

  constructor(db: DataSource) {
    super();
    this.tasks = db.getRepository(TaskEntity);
    this.runRows = db.getRepository(TaskRunEntity);
    this.atomic = new Atomic(db);
  }

  async list(): Promise<TaskRecord[]> {
    return (await this.tasks.find({ order: { id: 'ASC' } })).map(toRecord);
  }

  async get(id: string): Promise<TaskRecord | null> {
    const row = await this.tasks.findOneBy({ id });
    return row ? toRecord(row) : null;
  }

  async ensure(tasks: TaskRecord[]): Promise<void> {
    for (const t of tasks) {
      await this.tasks
        .createQueryBuilder()
        .insert()
        .values({
          id: t.id,
          type: t.type,
          name: t.name,
          schedule: JSON.stringify(t.schedule),
          properties: JSON.stringify(t.properties),
          nextRunAt: t.nextRunAt,
          leaseOwner: null,
          leaseExpiresAt: null,
          stopRequested: false,
        })
        .orIgnore()
        .execute();
    }
  }

  async configure(id: string, changes: { schedule?: TaskSchedule; properties?: Record<string, unknown>; nextRunAt?: Date | null }): Promise<void> {
    await this.tasks.update(
      { id },
      {
        ...(changes.schedule ? { schedule: JSON.stringify(changes.schedule) } : {}),
        ...(changes.properties ? { properties: JSON.stringify(changes.properties) } : {}),
        ...(changes.nextRunAt !== undefined ? { nextRunAt: changes.nextRunAt } : {}),
      },
    );
  }

  async acquire(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = new Date();
    const expires = new Date(now.getTime() + leaseMs);
    return this.atomic.run(function* (sql) {
      const taken = yield* sql.run(
        'UPDATE tasks SET "leaseOwner" = ?, "leaseExpiresAt" = ?, "stopRequested" = ? WHERE id = ? AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < ?)',
        owner,
        expires,
        false,
        id,
        now,
      );
      return taken > 0;
    });
  }

  async renew(id: string, owner: string, leaseMs: number): Promise<{ stopRequested: boolean } | null> {
    const expires = new Date(Date.now() + leaseMs);
    return this.atomic.run(function* (sql) {
      if ((yield* sql.run('UPDATE tasks SET "leaseExpiresAt" = ? WHERE id = ? AND "leaseOwner" = ?', expires, id, owner)) === 0) return null;
      const row = yield* sql.get<{ stopRequested: unknown }>('SELECT "stopRequested" FROM tasks WHERE id = ?', id);
      return { stopRequested: Boolean(row?.stopRequested) };
    });
  }

  async release(id: string, owner: string, nextRunAt: Date | null): Promise<void> {
    await this.tasks.update({ id, leaseOwner: owner }, { leaseOwner: null, leaseExpiresAt: null, stopRequested: false, nextRunAt });
  }

  async requestStop(id: string): Promise<boolean> {
    const now = new Date();
    return this.atomic.run(function* (sql) {
      return (yield* sql.run('UPDATE tasks SET "stopRequested" = ? WHERE id = ? AND "leaseOwner" IS NOT NULL AND "leaseExpiresAt" >= ?', true, id, now)) > 0;
    });
  }

  async startRun(taskId: string, startedAt: Date): Promise<number> {
    const row = await this.runRows.save({ taskId, startedAt, finishedAt: null, result: 'RUNNING', summary: '{}', log: '' });
    return row.id;
  }

  async finishRun(runId: number, result: TaskResult, summary: Record<string, unknown>, log: string): Promise<void> {
    await this.runRows.update({ id: runId }, { finishedAt: new Date(), result, summary: JSON.stringify(summary), log });
  }

  async runs(taskId: string, limit: number): Promise<TaskRunRecord[]> {
    const rows = await this.runRows.find({ where: { taskId }, order: { id: 'DESC' }, take: limit });
    return rows.map((r) => ({
      id: r.id,
      taskId: r.taskId,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      result: r.result as TaskResult,
      summary: JSON.parse(r.summary) as Record<string, unknown>,
      log: r.log,
    }));
  }

  async interruptOrphans(): Promise<number> {
    const now = new Date();
    const running = await this.runRows.findBy({ result: 'RUNNING' });
    if (running.length === 0) return 0;
    const held = await this.tasks.findBy({ id: In([...new Set(running.map((r) => r.taskId))]) });
    const live = new Set(held.filter((t) => t.leaseExpiresAt && t.leaseExpiresAt >= now).map((t) => t.id));
    const orphans = running.filter((r) => !live.has(r.taskId)).map((r) => r.id);
    if (orphans.length > 0) await this.runRows.update({ id: In(orphans) }, { result: 'INTERRUPTED', finishedAt: now });
    return orphans.length;
  }

  async abandonLeases(): Promise<number> {
    const now = new Date();
    return this.atomic.run(function* (sql) {
      yield* sql.run('UPDATE tasks SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL WHERE "leaseOwner" IS NOT NULL');
      return yield* sql.run('UPDATE task_runs SET result = ?, "finishedAt" = ? WHERE result = ?', 'INTERRUPTED', now, 'RUNNING');
    });
  }

  async pruneRuns(taskId: string, keep: number): Promise<void> {
    const kept = await this.runRows.find({ select: { id: true }, where: { taskId }, order: { id: 'DESC' }, skip: keep - 1, take: 1 });
    if (kept[0]) await this.runRows.delete({ taskId, id: LessThan(kept[0].id) });
  }
}

function toRecord(row: TaskEntity): TaskRecord {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    schedule: JSON.parse(row.schedule) as TaskSchedule,
    properties: JSON.parse(row.properties) as Record<string, unknown>,
    nextRunAt: row.nextRunAt,
    leaseOwner: row.leaseOwner,
    leaseExpiresAt: row.leaseExpiresAt,
    stopRequested: Boolean(row.stopRequested),
  };
}
