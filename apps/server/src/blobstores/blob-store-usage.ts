import { type SettingsStore, type UsageSample, type UsageSamples } from '@wharf/registry-core';
import { BlobStoreNotFoundError, type BlobStores } from './blob-stores';

/** Nexus's soft quota: a limit whose crossing is reported (status endpoint, metric, log), never enforced. */
export interface SoftQuota {
  type: 'spaceUsedQuota' | 'spaceRemainingQuota';
  /** Bytes. */
  limit: number;
}

export interface StoreUsage {
  name: string;
  type: 'File' | 'S3';
  blobCount: number;
  totalSizeInBytes: number;
  /** null when the store has no bound (object storage). */
  availableSpaceInBytes: number | null;
  softQuota: SoftQuota | null;
  /** When the counts were taken (a listing of the store). */
  measuredAt: Date;
}

export interface QuotaStatus {
  isViolation: boolean;
  message: string;
  blobStoreName: string;
}

const QUOTAS_KEY = 'blobstore.softQuotas';

/**
 * Sizes of the blob stores: measured by listing a store (the usage task, every collection), kept as
 * samples in the database (the chart over time, and what every process reports), with the soft quota
 * checked against the latest one.
 */
export class BlobStoreUsage {
  constructor(
    private readonly stores: BlobStores,
    private readonly samples: UsageSamples,
    private readonly settings: SettingsStore,
  ) {}

  /** Lists the store and records what it holds now. */
  async measure(name: string): Promise<UsageSample> {
    const store = this.stores.require(name);
    let blobCount = 0;
    let totalBytes = 0;
    for await (const blob of store.list()) {
      blobCount += 1;
      totalBytes += blob.size;
    }
    return this.record(name, blobCount, totalBytes);
  }

  /** Records counts already known (a collection's scan, minus what it deleted). */
  async record(name: string, blobCount: number, totalBytes: number): Promise<UsageSample> {
    const sample = { store: name, at: new Date(), blobCount, totalBytes, availableBytes: await this.stores.require(name).availableSpace() };
    await this.samples.record(sample);
    return sample;
  }

  /** The latest figures of a store; a store never measured is measured now, unless `measure` is false (then null). */
  async usage(name: string, options: { measure?: boolean } = {}): Promise<StoreUsage | null> {
    const store = this.stores.get(name);
    if (!store) throw new BlobStoreNotFoundError(`no blob store named "${name}"`);
    const sample = (await this.samples.latest(name)) ?? (options.measure === false ? null : await this.measure(name));
    if (!sample) return null;
    return {
      name,
      type: this.stores.config(name) ? 'S3' : 'File',
      blobCount: sample.blobCount,
      totalSizeInBytes: sample.totalBytes,
      availableSpaceInBytes: await store.availableSpace(),
      softQuota: (await this.quotas())[name] ?? null,
      measuredAt: sample.at,
    };
  }

  async list(options: { measure?: boolean } = {}): Promise<StoreUsage[]> {
    const all = await Promise.all(this.stores.names().map((name) => this.usage(name, options)));
    return all.filter((u): u is StoreUsage => u !== null);
  }

  async history(name: string, since: Date): Promise<UsageSample[]> {
    this.stores.require(name);
    return this.samples.since(name, since);
  }

  async quotaStatus(name: string): Promise<QuotaStatus> {
    const usage = (await this.usage(name))!;
    const quota = usage.softQuota;
    if (!quota) return { isViolation: false, message: `blob store ${name} has no soft quota`, blobStoreName: name };
    if (quota.type === 'spaceUsedQuota') {
      const over = usage.totalSizeInBytes > quota.limit;
      return {
        isViolation: over,
        message: `blob store ${name} holds ${usage.totalSizeInBytes} bytes; its soft quota allows ${quota.limit}${over ? ' (exceeded)' : ''}`,
        blobStoreName: name,
      };
    }
    if (usage.availableSpaceInBytes === null) {
      return { isViolation: false, message: `blob store ${name} reports no free space (object storage): a spaceRemainingQuota cannot apply`, blobStoreName: name };
    }
    const under = usage.availableSpaceInBytes < quota.limit;
    return {
      isViolation: under,
      message: `blob store ${name} has ${usage.availableSpaceInBytes} bytes free; its soft quota wants at least ${quota.limit}${under ? ' (violated)' : ''}`,
      blobStoreName: name,
    };
  }

  async prune(before: Date): Promise<void> {
    await this.samples.prune(before);
  }

  async softQuota(name: string): Promise<SoftQuota | null> {
    this.stores.require(name);
    return (await this.quotas())[name] ?? null;
  }

  async setSoftQuota(name: string, quota: SoftQuota | null): Promise<void> {
    this.stores.require(name);
    const all = await this.quotas();
    if (quota) all[name] = { type: quota.type, limit: quota.limit };
    else delete all[name];
    await this.settings.set(QUOTAS_KEY, all);
  }

  private quotas(): Promise<Record<string, SoftQuota>> {
    return this.settings.get<Record<string, SoftQuota>>(QUOTAS_KEY, {});
  }
}
