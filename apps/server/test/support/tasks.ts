import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskJson } from '@wharf/api-types';
import { expect } from 'vitest';
import type { HttpClient } from './http';

const TASKS = '/service/rest/v1/tasks';

/** Runs a task through the REST API and waits until that run has finished; returns the task as it then is. */
export async function runTask(http: HttpClient, id: string, timeoutMs = 60_000): Promise<TaskJson> {
  const before = (await getTask(http, id)).lastRun;
  const started = await http.post(`${TASKS}/${id}/run`);
  expect(started.status, started.text()).toBe(204);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await getTask(http, id);
    if (task.currentState === 'WAITING' && task.lastRun !== null && task.lastRun !== before && task.lastRunResult !== 'RUNNING') return task;
    if (Date.now() > deadline) throw new Error(`task ${id} did not finish within ${timeoutMs} ms: ${JSON.stringify(task)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function getTask(http: HttpClient, id: string): Promise<TaskJson> {
  const res = await http.get(`${TASKS}/${id}`);
  expect(res.status, res.text()).toBe(200);
  return res.json<TaskJson>();
}

/** Sets a task's grace period (minutes) so that tests see what a collection frees at once. */
export async function setGrace(http: HttpClient, id: string, minutes: number): Promise<void> {
  const res = await http.sendJson('PUT', `${TASKS}/${id}`, { properties: { gracePeriodMinutes: minutes } });
  expect(res.status, res.text()).toBe(204);
}

/** Files and bytes under the data directory's blob store (`blobs/blobs/<alg>/..`): what is really on disk. */
export async function storedBlobs(dataDir: string): Promise<{ count: number; bytes: number; digests: Set<string> }> {
  const root = join(dataDir, 'blobs', 'blobs');
  let count = 0;
  let bytes = 0;
  const digests = new Set<string>();
  for (const algorithm of await readdir(root).catch(() => [] as string[])) {
    for (const prefix of await readdir(join(root, algorithm))) {
      for (const name of await readdir(join(root, algorithm, prefix))) {
        count += 1;
        bytes += (await stat(join(root, algorithm, prefix, name))).size;
        digests.add(`${algorithm}:${name}`);
      }
    }
  }
  return { count, bytes, digests };
}
