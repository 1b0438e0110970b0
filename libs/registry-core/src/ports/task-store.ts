import type { TaskScheduleJson } from '@wharf/api-types';

/** When a task runs by itself (times are UTC), as the REST API sets it. */
export type TaskSchedule = TaskScheduleJson;

export interface TaskRecord {
  id: string;
  type: string;
  name: string;
  schedule: TaskSchedule;
  properties: Record<string, unknown>;
  nextRunAt: Date | null;
  /** The process running it now (a lease that has not run out), else null. */
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  stopRequested: boolean;
}

export type TaskResult = 'RUNNING' | 'OK' | 'FAILED' | 'STOPPED' | 'INTERRUPTED';

export interface TaskRunRecord {
  id: number;
  taskId: string;
  startedAt: Date;
  finishedAt: Date | null;
  result: TaskResult;
  summary: Record<string, unknown>;
  log: string;
}

/**
 * Port: scheduled tasks, their leases and their runs. The lease is what makes "one run at a time" hold
 * across processes sharing the database: only the holder of an unexpired lease runs the task.
 */
export abstract class TaskStore {
  abstract list(): Promise<TaskRecord[]>;
  abstract get(id: string): Promise<TaskRecord | null>;
  /** Inserts the tasks that do not exist yet (start-up). */
  abstract ensure(tasks: TaskRecord[]): Promise<void>;
  abstract configure(id: string, changes: { schedule?: TaskSchedule; properties?: Record<string, unknown>; nextRunAt?: Date | null }): Promise<void>;
  /** Takes the task's lease for `owner` unless another unexpired lease holds it; true when taken. */
  abstract acquire(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Extends `owner`'s lease; null when it lost it, else whether a stop was requested. */
  abstract renew(id: string, owner: string, leaseMs: number): Promise<{ stopRequested: boolean } | null>;
  /** Ends `owner`'s lease and sets the next run. */
  abstract release(id: string, owner: string, nextRunAt: Date | null): Promise<void>;
  /** Asks the running task to stop; false when it is not running. */
  abstract requestStop(id: string): Promise<boolean>;
  abstract startRun(taskId: string, startedAt: Date): Promise<number>;
  abstract finishRun(runId: number, result: TaskResult, summary: Record<string, unknown>, log: string): Promise<void>;
  /** The latest runs, newest first. */
  abstract runs(taskId: string, limit: number): Promise<TaskRunRecord[]>;
  /** Runs still RUNNING although their task holds no live lease (their process died): marked INTERRUPTED. */
  abstract interruptOrphans(): Promise<number>;
  /**
   * Ends every lease and marks every RUNNING run INTERRUPTED; returns how many runs. Only for a process that
   * knows no other process uses the database (the embedded SQLite of its data directory), at start-up: what
   * is still held was held by a process that died, and need not wait for its lease to run out.
   */
  abstract abandonLeases(): Promise<number>;
  /** Keeps the `keep` newest runs of a task. */
  abstract pruneRuns(taskId: string, keep: number): Promise<void>;
}
