import type { BlobStore } from '@wharf/blobstore';
import type { DatabaseHealth } from '../admin/status/database-health';
import type { DrainState } from '../runtime/drain-state';

/**
 * One thing this process needs to serve requests: `check` resolves (optionally with details) when it is
 * usable and throws, with a message that says why, when not. Readiness is the list of them; the
 * composition root decides which (the database, the blob store, draining; more for scaled-out setups).
 */
export interface ReadinessCheck {
  /** Key in the readiness answer and name in `status/check` (Nexus style: "Database", "Blob Stores"). */
  readonly name: string;
  check(): Promise<Record<string, unknown> | void>;
}

/** The metadata database answers a trivial query; `type` names it in the details (sqlite, postgres). */
export function databaseCheck(db: DatabaseHealth, type: string): ReadinessCheck {
  return {
    name: 'Database',
    check: async () => {
      await db.check();
      return { type };
    },
  };
}

/** A blob store as readiness sees it: its free space, and (the file store) why it would refuse a write now. */
export interface CheckedBlobStore extends Pick<BlobStore, 'availableSpace'> {
  writeProblem?(): Promise<string | null>;
}

/**
 * Every blob store answers (an S3 store asks its bucket; a file store, its disk); `stores()` is asked each
 * time (stores are added at run time). A store short of space is NOT a readiness failure: pulls, the
 * cache and the REST API keep working on a full disk, and taking every replica out of the load balancer
 * would turn refused pushes into a full outage. The details say `writable: false` and why (what
 * `status/writable` answers 503 for, the WHARF_MIN_FREE_SPACE floor); only a store that cannot answer fails.
 */
export function blobStoresCheck(stores: () => [string, CheckedBlobStore][]): ReadinessCheck {
  return {
    name: 'Blob Stores',
    check: async () => {
      const details: Record<string, unknown> = {};
      for (const [name, store] of stores()) {
        const availableBytes = await store.availableSpace();
        const problem = (await store.writeProblem?.()) ?? null;
        details[name] = { availableBytes, writable: problem === null, ...(problem ? { reason: problem } : {}) };
      }
      return details;
    },
  };
}

/** Not ready once shutdown began. */
export function drainCheck(drain: DrainState): ReadinessCheck {
  return {
    name: 'Shutdown',
    check: async () => {
      if (drain.draining) throw new Error(`shutting down since ${drain.drainingSince!.toISOString()}: new requests should go elsewhere`);
    },
  };
}
