import { Counter, Gauge, Histogram } from 'prom-client';
import type { CollectionResult, TaskResult } from '@wharf/registry-core';
import type { WharfMetrics } from '../metrics/wharf-metrics';
import type { BlobStoreUsage } from '../blobstores/blob-store-usage';

/** Storage lifecycle series on Wharf's Prometheus registry: tasks, collections, cleanup, blob store sizes. */
export class LifecycleMetrics {
  private readonly taskRuns: Counter<'task' | 'result'>;
  private readonly taskDuration: Histogram<'task'>;
  private readonly blobsFreed: Counter<'store'>;
  private readonly bytesFreed: Counter<'store'>;
  private readonly removed: Counter<'repository' | 'kind'>;
  private readonly gauges: { sizes: Gauge<'store'>; counts: Gauge<'store'>; free: Gauge<'store'>; violations: Gauge<'store'> };

  constructor(metrics: WharfMetrics, usage: BlobStoreUsage) {
    const registers = [metrics.registry];
    this.taskRuns = new Counter({ name: 'wharf_task_runs_total', help: 'Task runs by task id and result (OK, FAILED, STOPPED).', labelNames: ['task', 'result'], registers });
    this.taskDuration = new Histogram({
      name: 'wharf_task_duration_seconds',
      help: 'How long task runs took, by task id.',
      labelNames: ['task'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400],
      registers,
    });
    this.blobsFreed = new Counter({ name: 'wharf_gc_blobs_deleted_total', help: 'Blobs garbage collection deleted, by blob store.', labelNames: ['store'], registers });
    this.bytesFreed = new Counter({ name: 'wharf_gc_bytes_freed_total', help: 'Bytes garbage collection freed, by blob store.', labelNames: ['store'], registers });
    this.removed = new Counter({
      name: 'wharf_cleanup_removed_total',
      help: 'Tags and manifests removed by cleanup policies and proxy eviction, by repository.',
      labelNames: ['repository', 'kind'],
      registers,
    });
    const sizes = new Gauge({ name: 'wharf_blobstore_size_bytes', help: 'Bytes a blob store holds (at its latest measurement).', labelNames: ['store'], registers, collect: () => this.fill(usage) });
    const counts = new Gauge({ name: 'wharf_blobstore_blobs', help: 'Blobs a blob store holds (at its latest measurement).', labelNames: ['store'], registers });
    const free = new Gauge({ name: 'wharf_blobstore_available_bytes', help: 'Free space of a file blob store.', labelNames: ['store'], registers });
    const violations = new Gauge({ name: 'wharf_blobstore_soft_quota_violated', help: '1 while a blob store is past its soft quota.', labelNames: ['store'], registers });
    this.gauges = { sizes, counts, free, violations };
  }

  taskFinished(task: string, result: TaskResult, seconds: number): void {
    this.taskRuns.inc({ task, result });
    this.taskDuration.observe({ task }, seconds);
  }

  collected(store: string, result: CollectionResult): void {
    this.blobsFreed.inc({ store }, result.blobsDeleted);
    this.bytesFreed.inc({ store }, result.bytesFreed);
  }

  removedContent(repository: string, kind: 'tag' | 'manifest', count: number): void {
    if (count > 0) this.removed.inc({ repository, kind }, count);
  }

  private async fill(usage: BlobStoreUsage): Promise<void> {
    const { sizes, counts, free, violations } = this.gauges;
    // Scrapes never list a store: a store not measured yet is left out until the usage task measures it.
    for (const store of await usage.list({ measure: false })) {
      sizes.set({ store: store.name }, store.totalSizeInBytes);
      counts.set({ store: store.name }, store.blobCount);
      if (store.availableSpaceInBytes !== null) free.set({ store: store.name }, store.availableSpaceInBytes);
      violations.set({ store: store.name }, (await usage.quotaStatus(store.name)).isViolation ? 1 : 0);
    }
  }
}
