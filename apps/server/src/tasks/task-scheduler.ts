import { randomUUID } from 'node:crypto';
import type { TaskRecord, TaskResult, TaskRunRecord, TaskSchedule, TaskStore } from '@wharf/registry-core';
import { nextRun } from './schedule';

/** What a task's run can use: its settings, a log kept with the run, and whether it should stop now. */
export interface TaskContext {
  readonly properties: Record<string, unknown>;
  log(message: string): void;
  /** True once a stop was requested (from any process); the task returns early with what it has done. */
  stopped(): boolean;
}

/** A kind of task: what it does, and how it is scheduled out of the box. */
export interface TaskDefinition {
  id: string;
  type: string;
  name: string;
  schedule: TaskSchedule;
  properties: Record<string, unknown>;
  /** Does the work; returns the summary kept with the run (counts, bytes). */
  run(context: TaskContext): Promise<Record<string, unknown>>;
}

export class TaskNotFoundError extends Error {}
export class TaskConflictError extends Error {}

export interface TaskView {
  task: TaskRecord;
  running: boolean;
  lastRun: TaskRunRecord | null;
}

export interface SchedulerOptions {
  /** A run holds the task's lease this long and renews it every third of it. */
  leaseMs?: number;
  /** How often due tasks are looked for. */
  tickMs?: number;
  /** Runs kept per task. */
  keepRuns?: number;
  onRunFinished?(definition: TaskDefinition, result: TaskResult, seconds: number, summary: Record<string, unknown>): void;
  log?: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

const MAX_LOG_LINES = 500;

/**
 * Runs the built-in tasks on their schedules and on request. Whether a task may run is decided by its
 * lease in the database, so of several processes sharing it exactly one runs a given task at a time;
 * the schedule (`nextRunAt`) is in the database too, so a task due while one process is down is run by
 * another, once.
 */
export class TaskScheduler {
  private readonly owner = randomUUID();
  private readonly definitions = new Map<string, TaskDefinition>();
  private readonly runningHere = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly leaseMs: number;
  private readonly tickMs: number;
  private readonly keepRuns: number;

  constructor(
    private readonly store: TaskStore,
    definitions: TaskDefinition[],
    private readonly options: SchedulerOptions = {},
  ) {
    for (const d of definitions) this.definitions.set(d.id, d);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.tickMs = options.tickMs ?? 15_000;
    this.keepRuns = options.keepRuns ?? 50;
  }

  /** Creates missing tasks, marks runs of dead processes INTERRUPTED, and starts the clock. */
  async start(): Promise<void> {
    const now = new Date();
    await this.store.ensure(
      [...this.definitions.values()].map((d) => ({
        id: d.id,
        type: d.type,
        name: d.name,
        schedule: d.schedule,
        properties: d.properties,
        nextRunAt: nextRun(d.schedule, now),
        leaseOwner: null,
        leaseExpiresAt: null,
        stopRequested: false,
      })),
    );
    await this.store.interruptOrphans();
    this.timer = setInterval(() => void this.tick().catch((err: Error) => this.options.log?.error(`task scheduler: ${err.message}`)), this.tickMs);
    this.timer.unref();
  }

  /** Stops the clock and waits for this process's runs to end (after asking them to stop). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const id of this.runningHere.keys()) await this.store.requestStop(id).catch(() => undefined);
    await Promise.all(this.runningHere.values());
  }

  /** Starts the tasks that are due (called by the clock; tests call it directly). */
  async tick(now = new Date()): Promise<void> {
    await this.store.interruptOrphans();
    for (const task of await this.store.list()) {
      if (!task.nextRunAt || task.nextRunAt > now || this.runningHere.has(task.id)) continue;
      await this.launch(task.id);
    }
  }

  async list(): Promise<TaskView[]> {
    const tasks = (await this.store.list()).filter((t) => this.definitions.has(t.id));
    return Promise.all(tasks.map((t) => this.view(t)));
  }

  async get(id: string): Promise<TaskView> {
    return this.view(await this.record(id));
  }

  async runs(id: string, limit = 20): Promise<TaskRunRecord[]> {
    await this.record(id);
    return this.store.runs(id, limit);
  }

  /** Runs the task now; TaskConflictError when it runs already (here or in another process). */
  async runNow(id: string): Promise<void> {
    await this.record(id);
    if (!(await this.launch(id))) throw new TaskConflictError(`task ${id} is already running`);
  }

  /** The run in this process, if any, for callers that want to wait for it (tests, shutdown). */
  running(id: string): Promise<void> | undefined {
    return this.runningHere.get(id);
  }

  async stopTask(id: string): Promise<void> {
    await this.record(id);
    if (!(await this.store.requestStop(id))) throw new TaskConflictError(`task ${id} is not running`);
  }

  async configure(id: string, changes: { schedule?: TaskSchedule; properties?: Record<string, unknown> }): Promise<void> {
    const task = await this.record(id);
    const schedule = changes.schedule ?? task.schedule;
    await this.store.configure(id, {
      ...(changes.schedule ? { schedule: changes.schedule, nextRunAt: nextRun(schedule, new Date()) } : {}),
      ...(changes.properties ? { properties: { ...task.properties, ...changes.properties } } : {}),
    });
  }

  private async record(id: string): Promise<TaskRecord> {
    const task = this.definitions.has(id) ? await this.store.get(id) : null;
    if (!task) throw new TaskNotFoundError(`task ${id} does not exist`);
    return task;
  }

  private async view(task: TaskRecord): Promise<TaskView> {
    const [lastRun] = await this.store.runs(task.id, 1);
    const running = task.leaseOwner !== null && task.leaseExpiresAt !== null && task.leaseExpiresAt >= new Date();
    return { task, running, lastRun: lastRun ?? null };
  }

  /** Takes the lease and starts the run in the background; false when someone holds the lease. */
  private async launch(id: string): Promise<boolean> {
    const definition = this.definitions.get(id)!;
    if (this.runningHere.has(id) || !(await this.store.acquire(id, this.owner, this.leaseMs))) return false;
    const run = this.execute(definition).finally(() => this.runningHere.delete(id));
    this.runningHere.set(id, run);
    return true;
  }

  private async execute(definition: TaskDefinition): Promise<void> {
    const task = (await this.store.get(definition.id))!;
    const started = new Date();
    const runId = await this.store.startRun(definition.id, started);
    const lines: string[] = [];
    let stopRequested = false;
    let leaseLost = false;
    const log = (message: string) => {
      lines.push(`${new Date().toISOString()} ${message}`);
      if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
      this.options.log?.log(`${definition.name}: ${message}`);
    };
    const renew = setInterval(() => {
      this.store.renew(definition.id, this.owner, this.leaseMs).then(
        (state) => {
          if (state === null) leaseLost = true;
          else stopRequested ||= state.stopRequested;
        },
        (err: Error) => this.options.log?.warn(`task ${definition.id}: lease not renewed: ${err.message}`),
      );
    }, this.leaseMs / 3);
    renew.unref();
    let result: TaskResult = 'OK';
    let summary: Record<string, unknown> = {};
    try {
      log('started');
      summary = await definition.run({ properties: { ...definition.properties, ...task.properties }, log, stopped: () => stopRequested || leaseLost });
      if (stopRequested || leaseLost) result = 'STOPPED';
      log(result === 'OK' ? 'finished' : 'stopped before the end');
    } catch (err) {
      result = 'FAILED';
      summary = { error: (err as Error).message };
      log(`failed: ${(err as Error).message}`);
    } finally {
      clearInterval(renew);
    }
    const seconds = (Date.now() - started.getTime()) / 1000;
    await this.store.finishRun(runId, result, { ...summary, durationMs: Math.round(seconds * 1000) }, lines.join('\n'));
    const current = await this.store.get(definition.id);
    await this.store.release(definition.id, this.owner, nextRun(current?.schedule ?? definition.schedule, new Date()));
    await this.store.pruneRuns(definition.id, this.keepRuns);
    this.options.onRunFinished?.(definition, result, seconds, summary);
  }
}
