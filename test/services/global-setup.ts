/**
 * Vitest global setup: ONE PostgreSQL and ONE Ceph RGW for the whole run, whichever projects it
 * includes (each project that lists this file shares the same servers: the first setup starts
 * them, the last teardown stops them). Tests get their own database or bucket from them
 * (see databases.ts, buckets.ts). Set WHARF_TEST_SERVICES=none to run without them (tests that need
 * one then fail, naming the variable).
 */
import type { TestProject } from 'vitest/node';
import { startPostgres, type ThrowawayPostgres as PostgresServer } from '../../scripts/lib/throwaway-postgres';
import { startRgw, type RgwServer } from '../../scripts/lib/throwaway-rgw';

export interface S3Service {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL, '' when services are off. */
    postgresUrl: string;
    /** The run's S3 endpoint and credentials, null when services are off. */
    s3: S3Service | null;
  }
}

interface Services {
  users: number;
  ready: Promise<{ postgres: PostgresServer | null; rgw: RgwServer | null }>;
}

const KEY = Symbol.for('wharf.test.services');
const shared = globalThis as { [KEY]?: Services };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const off = process.env.WHARF_TEST_SERVICES === 'none';
  if (!shared[KEY]) {
    const ready = off
      ? Promise.resolve({ postgres: null, rgw: null })
      : Promise.allSettled([startPostgres(), startRgw()]).then(async ([pg, rgw]) => {
          if (pg.status === 'fulfilled' && rgw.status === 'fulfilled') return { postgres: pg.value, rgw: rgw.value };
          if (pg.status === 'fulfilled') await pg.value.stop();
          if (rgw.status === 'fulfilled') await rgw.value.stop();
          throw (pg.status === 'rejected' ? pg.reason : (rgw as PromiseRejectedResult).reason) as Error;
        });
    shared[KEY] = { users: 0, ready };
  }
  const services = shared[KEY];
  services.users++;
  const { postgres, rgw } = await services.ready;
  project.provide('postgresUrl', postgres?.url ?? '');
  project.provide('s3', rgw ? { endpoint: rgw.endpoint, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } : null);
  return async () => {
    if (--services.users > 0) return;
    delete shared[KEY];
    await Promise.all([postgres?.stop(), rgw?.stop()]);
  };
}
