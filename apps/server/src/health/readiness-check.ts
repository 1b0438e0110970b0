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

/** Below this much free space the blob store is reported unhealthy: pushes and proxy fills would fail. */
const MIN_FREE_BYTES = 64 * 1024 * 1024;

/** Every blob store answers (an S3 store asks its bucket), each with room where it can tell; `stores()` is asked each time (stores are added at run time). */
export function blobStoresCheck(stores: () => [string, Pick<BlobStore, 'availableSpace'>][]): ReadinessCheck {
  return {
    name: 'Blob Stores',
    check: async () => {
      const details: Record<string, unknown> = {};
      for (const [name, store] of stores()) {
        const free = await store.availableSpace();
        if (free !== null && free < MIN_FREE_BYTES) throw new Error(`blob store ${name} has ${free} bytes free`);
        details[name] = { availableBytes: free };
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
