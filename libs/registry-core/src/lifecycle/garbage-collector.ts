import { randomUUID } from 'node:crypto';
import type { BlobStore } from '@wharf/blobstore';
import type { GarbageLedger } from '../ports/garbage-ledger';

export interface CollectorOptions {
  /** Blob links confirmed, and store files written, within this long are kept (pushes in progress). */
  graceMs: number;
  /** How long a decided deletion is reserved for this collection (another one takes it over after). */
  leaseMs?: number;
  /** Candidates decided and deleted together. */
  batchSize?: number;
  now?: () => Date;
}

/** Store deletions a sweep runs at once. */
const DELETIONS_IN_FLIGHT = 8;

/** Test seams: pause the collection at its two decision points (race tests force the orders with these). */
export interface CollectorHooks {
  /** After the mark phase, before any candidate is decided. */
  afterMark?(): Promise<void>;
  /** After `digests` were recorded as being deleted, before they are removed from the store. */
  beforeDelete?(digests: string[]): Promise<void>;
}

export interface CollectionResult {
  /** Unused and orphaned blob links dropped. */
  linksDropped: number;
  /** Deletions of a collection that died, finished by this one. */
  resumed: number;
  blobsScanned: number;
  bytesScanned: number;
  blobsDeleted: number;
  bytesFreed: number;
}

/** What a running collection reports and obeys. */
export interface CollectionControl {
  log?(message: string): void;
  /** True once a stop was requested: the collection finishes the batch it holds and returns. */
  stopped?(): boolean;
}

/**
 * Online mark-and-sweep over the blob store, with every decision made in the database (docs/garbage-
 * collection.md). Mark: the digests the metadata holds. Sweep: the store's files that are not held and
 * older than the grace period are candidates; `beginDeletion` re-checks each one atomically against
 * manifests, references, links and writers' claims and reserves those still unheld, which are then
 * deleted from the store. No lock is held across the sweep: pushes and pulls go on while it runs.
 */
export class GarbageCollector {
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly now: () => Date;

  constructor(
    private readonly ledger: GarbageLedger,
    private readonly store: BlobStore,
    private readonly options: CollectorOptions,
    private readonly hooks: CollectorHooks = {},
  ) {
    this.leaseMs = options.leaseMs ?? 2 * 60_000;
    this.batchSize = options.batchSize ?? 500;
    this.now = options.now ?? (() => new Date());
  }

  async collect(control: CollectionControl = {}): Promise<CollectionResult> {
    const owner = randomUUID();
    const log = control.log ?? (() => undefined);
    const result: CollectionResult = { linksDropped: 0, resumed: 0, blobsScanned: 0, bytesScanned: 0, blobsDeleted: 0, bytesFreed: 0 };
    result.resumed = await this.resume(owner);
    if (result.resumed > 0) log(`finished ${result.resumed} deletion(s) an interrupted collection had decided`);
    const cutoff = new Date(this.now().getTime() - this.options.graceMs);
    result.linksDropped = await this.ledger.dropUnreferencedLinks(cutoff);
    log(`dropped ${result.linksDropped} blob link(s) no manifest uses`);
    const held = await this.ledger.heldDigests();
    log(`marked ${held.size} digest(s) the metadata holds`);
    await this.hooks.afterMark?.();
    let batch: { digest: string; size: number }[] = [];
    for await (const blob of this.store.list()) {
      result.blobsScanned += 1;
      result.bytesScanned += blob.size;
      if (held.has(blob.digest) || blob.lastModified >= cutoff) continue;
      batch.push(blob);
      if (batch.length >= this.batchSize) {
        await this.sweep(batch, owner, result, log);
        batch = [];
        if (control.stopped?.()) {
          log('stopped on request');
          return result;
        }
      }
    }
    if (batch.length > 0) await this.sweep(batch, owner, result, log);
    log(`scanned ${result.blobsScanned} blob(s) (${result.bytesScanned} bytes); deleted ${result.blobsDeleted} (${result.bytesFreed} bytes)`);
    return result;
  }

  /** Finishes deletions whose collection died (their lease ran out); returns how many. */
  async resume(owner: string = randomUUID()): Promise<number> {
    const digests = await this.ledger.resumeDeletions(owner, this.leaseMs);
    if (digests.length === 0) return 0;
    for (const digest of digests) await this.store.delete(digest);
    await this.ledger.endDeletion(digests);
    return digests.length;
  }

  private async sweep(batch: { digest: string; size: number }[], owner: string, result: CollectionResult, log: (message: string) => void): Promise<void> {
    const decidedAt = Date.now();
    const decided = await this.ledger.beginDeletion(
      batch.map((b) => b.digest),
      owner,
      this.leaseMs,
    );
    if (decided.length === 0) return;
    await this.hooks.beforeDelete?.(decided);
    // A collection that stalled past its lease may have been taken over: delete only what is still ours.
    const ours = Date.now() - decidedAt < this.leaseMs / 2 ? decided : await this.ledger.stillDeleting(decided, owner);
    const sizes = new Map(batch.map((b) => [b.digest, b.size]));
    const done: string[] = [];
    const deleteOne = async (digest: string): Promise<void> => {
      try {
        if (await this.store.delete(digest)) {
          result.blobsDeleted += 1;
          result.bytesFreed += sizes.get(digest) ?? 0;
        }
      } catch (err) {
        log(`blob ${digest} not deleted: ${(err as Error).message}`);
      }
      done.push(digest);
    };
    try {
      // A few deletions in flight: one at a time, a store's round trip (a disk or S3 request) bounded the sweep.
      for (let i = 0; i < ours.length; i += DELETIONS_IN_FLIGHT) {
        await Promise.all(ours.slice(i, i + DELETIONS_IN_FLIGHT).map(deleteOne));
      }
    } finally {
      await this.ledger.endDeletion(done);
    }
  }
}
