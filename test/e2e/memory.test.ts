import { createCipheriv, createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { wharfSuite } from '../support/wharf-suite';
import { digestStream, typedBlob } from '@wharf/test-kit';
import { memoryProbeEnv, probeMemory, residentMiB } from '../support/memory';
import { send } from '../support/http';
import { type RegistryClient, withDigest } from '../support/registry-client';

const MiB = 1024 * 1024;
/** The bound README.md states for a 1 GiB push or pull (peak resident memory of the server process). */
const TRANSFER_PEAK_MIB = 128;

/** Packages only some configurations use; the default one (SQLite, text logs, no S3 store, no user regex) loads none. */
const OPTIONAL = ['@aws-sdk/client-s3', '@smithy/core', 'pg', 're2', 'pino', 'multer', '@nestjs/swagger', 'swagger-ui-dist'];

describe('memory of the default configuration', () => {
  const probeFile = (dir: string) => join(dir, 'probe.json');
  const suite = wharfSuite('memory', (dir) => ({ env: memoryProbeEnv(probeFile(dir)) }));

  it('loads none of the optional packages, also after a push and a pull', async () => {
    const client = await suite.wharf.hostedClient('hosted');
    const blob = typedBlob('application/octet-stream', 'a small blob');
    await client.uploadBlob('team/app', blob, { mode: 'chunked' });
    expect(await client.fetchBlob('team/app', blob.digest)).toEqual({ status: 200, digest: blob.digest, size: blob.size });
    const report = await probeMemory(suite.wharf.pid!, probeFile(suite.dir));
    expect(report.packages).toContain('typeorm'); // the probe sees what is loaded
    expect(report.packages.filter((p) => OPTIONAL.includes(p))).toEqual([]);
  });

  it('loads @nestjs/swagger only when the OpenAPI document is first asked for', async () => {
    const res = await send(`${suite.wharf.baseUrl}/service/rest/swagger.json`);
    expect(res.status).toBe(200);
    expect(res.json<{ openapi: string }>().openapi).toMatch(/^3\.0\./);
    expect((await probeMemory(suite.wharf.pid!, probeFile(suite.dir))).packages).toContain('@nestjs/swagger');
  });
});

/** `size` incompressible bytes (an AES-256-CTR keystream), produced a MiB at a time, hashed as they go out. */
function generated(size: number, digest: { value?: string }): Readable {
  const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16));
  const hash = createHash('sha256');
  const zeros = Buffer.alloc(MiB);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) {
        digest.value = `sha256:${hash.digest('hex')}`;
        this.push(null);
        return;
      }
      const piece = cipher.update(zeros.subarray(0, Math.min(MiB, left)));
      left -= piece.length;
      hash.update(piece);
      this.push(piece);
    },
  });
}

describe('memory while a 1 GiB layer is pushed and pulled', () => {
  const suite = wharfSuite('memory-1g');
  let client: RegistryClient;

  beforeAll(async () => {
    client = await suite.wharf.hostedClient('hosted');
  });

  it(`stays under ${TRANSFER_PEAK_MIB} MiB of RSS (the bound README.md states)`, async () => {
    const pid = suite.wharf.pid!;
    const size = 1024 * MiB;
    const digest: { value?: string } = {};
    // VmHWM from now on (Linux: clear_refs 5 resets the peak to the current RSS).
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const before = residentMiB(pid);
    // One streamed PATCH without a length (chunked, as docker sends a layer), then PUT ?digest=.
    const location = await client.startUpload('big');
    const patch = await client.request('PATCH', location.toString(), {
      name: 'big',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: () => generated(size, digest),
    });
    expect(patch.status, patch.text()).toBe(202);
    const put = await client.request('PUT', withDigest(client.location(patch), digest.value!).toString(), { name: 'big' });
    expect(put.status, put.text()).toBe(201);
    const pushed = residentMiB(pid);

    const pulled = await digestStream(await client.requestStream('GET', `/big/blobs/${digest.value}`, { name: 'big' }));
    expect(pulled).toEqual({ digest: digest.value, size });
    const after = residentMiB(pid);
    console.log(`server RSS: ${before.rss.toFixed(0)} MiB before, peak ${pushed.peak.toFixed(0)} MiB during the push, ${after.peak.toFixed(0)} MiB after the pull`);
    expect(pushed.peak).toBeLessThan(TRANSFER_PEAK_MIB);
    expect(after.peak).toBeLessThan(TRANSFER_PEAK_MIB);
  });
});
