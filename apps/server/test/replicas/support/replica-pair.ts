import { join } from 'node:path';
import { expect } from 'vitest';
import { type TestBucket, createTestBucket } from '../../../../../test/services/buckets';
import { type TestWharf, startTestWharf } from '../../support/wharf';

/**
 * Two Wharfs as replicas behind a load balancer: each has its own composition, data directory and address
 * (A on 127.0.0.1, B on 127.0.0.2, so both can open the same connector ports), on ONE PostgreSQL database,
 * sharing the secret key file and an S3 blob store `shared` on the run's RGW.
 */
export interface ReplicaPair {
  a: TestWharf;
  b: TestWharf;
  bucket: TestBucket;
  adminPassword: string;
  close(): Promise<void>;
}

export const SHARED_STORE = 'shared';

export async function startReplicaPair(adminPassword: string): Promise<ReplicaPair> {
  const a = await startTestWharf({ database: 'postgres', adminPassword });
  let b: TestWharf | undefined;
  let bucket: TestBucket | undefined;
  const close = async () => {
    await b?.close();
    await a.close();
    await bucket?.remove();
  };
  try {
    b = await startTestWharf({
      database: { url: a.databaseUrl! },
      adminPassword,
      // Replicas share the key that seals secrets in the database (WHARF_SECRET_KEY_FILE).
      config: { host: '127.0.0.2', secretKeyFile: join(a.dataDir, 'secrets', 'config.key') },
    });
    bucket = await createTestBucket({ create: false });
    const created = await a.http.sendJson('POST', '/service/rest/v1/blobstores/s3', bucket.restBody(SHARED_STORE, 'replicas'));
    expect(created.status, created.text()).toBe(201);
    return { a, b, bucket, adminPassword, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Polls `check` until it holds; fails if that takes longer than `ms` (the promise: within a second). */
export async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
