import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { PageJson, TaskJson, TaskRunJson, TaskScheduleJson } from '@wharf/api-types';
import type { TaskSchedule } from '@wharf/registry-core';
import type { Request } from 'express';
import { AuditLog } from '../../security/domain/audit';
import { actorOf } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { cleanSchedule, scheduleProblem } from '../../tasks/schedule';
import { TaskScheduler, type TaskView } from '../../tasks/task-scheduler';
import { LifecycleInputError } from './lifecycle-errors';

/** Nexus's task endpoints (list, read, run, stop), plus schedule/settings changes and the run history (administrators only). */
@Controller('service/rest/v1/tasks')
@UseGuards(RestAuthGuard)
export class TasksController {
  constructor(
    private readonly scheduler: TaskScheduler,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(): Promise<PageJson<TaskJson>> {
    return { items: (await this.scheduler.list()).map(taskToJson), continuationToken: null };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<TaskJson> {
    return taskToJson(await this.scheduler.get(id));
  }

  @Get(':id/runs')
  async runs(@Param('id') id: string, @Query('limit') limit?: string): Promise<TaskRunJson[]> {
    const n = limit === undefined ? 20 : Number(limit);
    if (!Number.isSafeInteger(n) || n < 1 || n > 50) throw new LifecycleInputError('limit', 'limit must be a whole number from 1 to 50');
    return (await this.scheduler.runs(id, n)).map((r) => ({
      id: r.id,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      result: r.result,
      summary: r.summary,
      log: r.log,
    }));
  }

  @Post(':id/run')
  @HttpCode(204)
  async run(@Param('id') id: string, @Req() req: Request): Promise<void> {
    await this.scheduler.runNow(id);
    await this.audit.record(actorOf(req), 'task.run', id);
  }

  @Post(':id/stop')
  @HttpCode(204)
  async stop(@Param('id') id: string, @Req() req: Request): Promise<void> {
    await this.scheduler.stopTask(id);
    await this.audit.record(actorOf(req), 'task.stop', id);
  }

  /** Wharf: `{"schedule": {...}, "properties": {...}}` (either); properties are merged into the task's. */
  @Put(':id')
  @HttpCode(204)
  async configure(@Param('id') id: string, @Body() body: { schedule?: TaskScheduleJson; properties?: Record<string, unknown> }, @Req() req: Request): Promise<void> {
    const changes: { schedule?: TaskSchedule; properties?: Record<string, unknown> } = {};
    if (body.schedule !== undefined) {
      const problem = scheduleProblem(body.schedule);
      if (problem) throw new LifecycleInputError('schedule', problem);
      changes.schedule = cleanSchedule(body.schedule);
    }
    if (body.properties !== undefined) {
      if (!body.properties || typeof body.properties !== 'object' || Array.isArray(body.properties)) throw new LifecycleInputError('properties', 'properties must be an object');
      changes.properties = checkedProperties(body.properties);
    }
    await this.scheduler.configure(id, changes);
    await this.audit.record(actorOf(req), 'task.update', id, { ...changes });
  }
}

/** The settings tasks read: only known ones, with their types checked. */
function checkedProperties(properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (key !== 'gracePeriodMinutes') throw new LifecycleInputError(`properties.${key}`, `unknown task property "${key}" (known: gracePeriodMinutes)`);
    if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > 7 * 24 * 60) {
      throw new LifecycleInputError('properties.gracePeriodMinutes', 'gracePeriodMinutes must be a whole number of minutes from 0 to 10080');
    }
    out[key] = value;
  }
  return out;
}

export function taskToJson(view: TaskView): TaskJson {
  const { task, running, lastRun } = view;
  return {
    id: task.id,
    name: task.name,
    type: task.type,
    message: running ? 'running' : null,
    currentState: running ? 'RUNNING' : 'WAITING',
    lastRun: lastRun?.startedAt.toISOString() ?? null,
    lastRunResult: lastRun?.result ?? null,
    nextRun: task.nextRunAt?.toISOString() ?? null,
    schedule: task.schedule,
    properties: task.properties,
    lastRunDurationMs: typeof lastRun?.summary.durationMs === 'number' ? lastRun.summary.durationMs : null,
    lastRunSummary: lastRun && lastRun.result !== 'RUNNING' ? lastRun.summary : null,
  };
}
