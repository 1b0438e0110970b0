import type { BlobStoreUsage } from '../blobstores/blob-store-usage';
import type { BlobStores } from '../blobstores/blob-stores';
import type { StorageLifecycle } from './storage-lifecycle';
import type { TaskContext, TaskDefinition } from './task-scheduler';
import type { UploadJanitor } from './upload-janitor';

/** Links and files younger than this are kept by default (Harbor's time window): pushes in progress. */
export const DEFAULT_GRACE_MINUTES = 120;

/** Usage samples kept for the chart. */
const SAMPLE_DAYS = 90;

export interface LifecycleTaskDependencies {
  lifecycle: StorageLifecycle;
  usage: BlobStoreUsage;
  stores: BlobStores;
  janitor: UploadJanitor;
}

function graceMs(context: TaskContext): number {
  const minutes = Number(context.properties.gracePeriodMinutes ?? DEFAULT_GRACE_MINUTES);
  return Math.max(0, Number.isFinite(minutes) ? minutes : DEFAULT_GRACE_MINUTES) * 60_000;
}

/** The built-in storage tasks (ids are stable: scripts and the UI address them). */
export function lifecycleTasks(deps: LifecycleTaskDependencies): TaskDefinition[] {
  const { lifecycle, usage, stores, janitor } = deps;
  const collect = (context: TaskContext) => lifecycle.collect(context, graceMs(context));
  return [
    {
      id: 'cleanup',
      type: 'repository.cleanup',
      name: 'Cleanup policies and garbage collection',
      schedule: { type: 'daily', time: '02:00' },
      properties: { gracePeriodMinutes: DEFAULT_GRACE_MINUTES },
      run: async (context) => {
        const cleanup = await lifecycle.cleanup(context);
        const collection = await collect(context);
        return { ...cleanup, ...collection };
      },
    },
    {
      id: 'proxy-eviction',
      type: 'repository.docker.proxy-eviction',
      name: 'Evict proxy caches over their size limit',
      schedule: { type: 'interval', minutes: 60 },
      properties: { gracePeriodMinutes: DEFAULT_GRACE_MINUTES },
      run: async (context) => {
        const eviction = await lifecycle.evict(context);
        // Only a run that evicted something has blobs to free.
        const collection = eviction.manifestsEvicted > 0 ? await collect(context) : null;
        return { ...eviction, ...(collection ?? {}) };
      },
    },
    {
      id: 'upload-purge',
      type: 'repository.docker.upload-purge',
      name: 'Delete incomplete uploads',
      schedule: { type: 'interval', minutes: 60 },
      properties: {},
      run: async () => ({ uploadsDeleted: await janitor.sweep() }),
    },
    {
      id: 'blobstore-usage',
      type: 'blobstore.usage',
      name: 'Measure blob store usage',
      schedule: { type: 'interval', minutes: 60 },
      properties: {},
      run: async (context) => {
        const measured: Record<string, unknown> = {};
        for (const name of stores.names()) {
          if (context.stopped()) break;
          const sample = await usage.measure(name);
          measured[name] = { blobCount: sample.blobCount, totalBytes: sample.totalBytes };
          context.log(`${name}: ${sample.blobCount} blob(s), ${sample.totalBytes} bytes`);
          const status = await usage.quotaStatus(name);
          if (status.isViolation) context.log(`soft quota: ${status.message}`);
        }
        await usage.prune(new Date(Date.now() - SAMPLE_DAYS * 24 * 3600_000));
        return { stores: measured };
      },
    },
  ];
}
