import type { TaskJson } from '@wharf/api-types';
import { expect } from 'vitest';
import { waitFor } from './wait';
import type { RestClient } from './wharf';

const TASKS = '/service/rest/v1/tasks';

/** Runs a Wharf task through the REST API (204 expected) and waits until that run has finished; returns the task then. */
export async function runTask(rest: RestClient, id: string, timeoutMs = 120_000): Promise<TaskJson> {
  const get = async () => (await rest.get(`${TASKS}/${id}`)).json<TaskJson>();
  const before = (await get()).lastRun;
  const started = await rest.post(`${TASKS}/${id}/run`);
  expect(started.status, started.text()).toBe(204);
  let task = await get();
  await waitFor(
    `task ${id} to finish`,
    async () => {
      task = await get();
      return task.currentState === 'WAITING' && task.lastRun !== null && task.lastRun !== before;
    },
    { timeoutMs, intervalMs: 100 },
  );
  return task;
}

/** Sets a task's grace period (minutes): 0 lets a collection free at once what was just deleted. */
export async function setGrace(rest: RestClient, id: string, minutes: number): Promise<void> {
  const res = await rest.put(`${TASKS}/${id}`, { properties: { gracePeriodMinutes: minutes } });
  expect(res.status, res.text()).toBe(204);
}
