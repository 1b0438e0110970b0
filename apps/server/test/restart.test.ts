import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, imageManifest } from '@wharf/test-kit';
import { canBind, freePort } from './support/ports';
import { Registry } from './support/registry';
import { createHosted, getHosted } from './support/rest';
import { dropPostgresDatabase } from '../../../test/services/databases';
import { type TestWharf, startTestWharf } from './support/wharf';

// One Wharf, stopped and started again on the same data directory (and the same database).
describe.each(['sqlite', 'postgres'] as const)('a restart with the same data directory, metadata in %s', (dialect) => {
  let first: TestWharf;
  let second: TestWharf | undefined;
  let port: number;
  let m: Manifest;

  beforeAll(async () => {
    first = await startTestWharf({ keepData: true, database: dialect });
    port = await freePort();
    await createHosted(first.http, 'durable', { httpPort: port, writePolicy: 'ALLOW_ONCE' });
    m = imageManifest();
    await new Registry(first.on(port)).pushImage('app', 'v1', m);
    await first.close();
    const database = first.databaseUrl ? { url: first.databaseUrl } : 'sqlite';
    second = await startTestWharf({ dataDir: first.dataDir, adminPassword: first.admin.password, database });
  });

  afterAll(async () => {
    try {
      await second?.close();
    } finally {
      await rm(first.dataDir, { recursive: true, force: true });
      if (first.databaseUrl) await dropPostgresDatabase(first.databaseUrl);
    }
  });

    it('keeps the repository and its configuration', async () => {
      const res = await getHosted(second!.http, 'durable');
      expect(res.status).toBe(200);
      expect(res.json()).toMatchObject({ name: 'durable', storage: { writePolicy: 'ALLOW_ONCE' }, docker: { httpPort: port } });
    });

    it('reopens its connector', async () => {
      expect(await canBind(port)).toBe(false);
      const res = await second!.on(port).get('/v2/');
      expect(res.status).toBe(200);
    });

    it('keeps the images, byte for byte, with their tags', async () => {
      const registry = new Registry(second!.on(port));
      const byTag = await registry.getManifest('app', 'v1');
      expect(byTag.status).toBe(200);
      expect(byTag.body.equals(m.bytes)).toBe(true);
      for (const blob of m.blobs) expect((await registry.getBlob('app', blob.digest)).body.equals(blob.bytes)).toBe(true);
      expect((await registry.tags('app')).json()).toEqual({ name: 'app', tags: ['v1'] });
    });

    it('keeps the admin password', async () => {
      expect((await second!.http.get('/service/rest/v1/repositories')).status).toBe(200);
    });
});
