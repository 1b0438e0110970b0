import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../support/cleanup';
import { memBlob } from '../support/image-builder';
import { memoryProbeEnv, probeMemory } from '../support/memory';
import { makeTempDir, removeDir } from '../support/paths';
import { ADMIN_USER, Wharf } from '../support/wharf';
import { RegistryClient } from '../support/registry-client';

/** Packages only some configurations use; the default one (SQLite, text logs, no S3 store, no user regex) loads none. */
const OPTIONAL = ['@aws-sdk/client-s3', '@smithy/core', 'pg', 're2', 'pino', 'multer'];

describe('memory of the default configuration', () => {
  const cleanup = new Cleanup();
  let tmp: string;
  let wharf: Wharf;
  let probeFile: string;

  beforeAll(async () => {
    tmp = makeTempDir('memory');
    cleanup.add('temp dir', () => removeDir(tmp));
    probeFile = join(tmp, 'probe.json');
    wharf = await Wharf.start({ dir: tmp, env: memoryProbeEnv(probeFile) });
    cleanup.add('wharf', () => wharf.stop());
  });
  afterAll(() => cleanup.run());

  it('loads none of the optional packages, also after a push and a pull', async () => {
    const connector = await wharf.createHostedRepo('hosted');
    const client = new RegistryClient({ baseUrl: `http://127.0.0.1:${connector}`, username: ADMIN_USER, password: wharf.adminPassword });
    const blob = memBlob('application/octet-stream', 'a small blob');
    await client.uploadBlob('team/app', blob, { mode: 'chunked' });
    expect(await client.fetchBlob('team/app', blob.digest)).toEqual({ status: 200, digest: blob.digest, size: blob.size });
    const report = await probeMemory(wharf.pid!, probeFile);
    expect(report.packages).toContain('typeorm'); // the probe sees what is loaded
    expect(report.packages.filter((p) => OPTIONAL.includes(p))).toEqual([]);
  });
});
