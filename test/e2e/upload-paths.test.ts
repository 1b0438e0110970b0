import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { typedBlob } from '@wharf/test-kit';
import { wharfSuite } from '../support/wharf-suite';
import { type RegistryClient, type UploadMode, withDigest } from '../support/registry-client';

const MiB = 1024 * 1024;

// Large upload bodies are read by the native addon where it is (http/taken-bodies.ts), through JavaScript where it
// is not (not Linux, not built, WHARF_ZERO_COPY=off). Clients see the same answers either way: both run here.
describe.each<{ path: string; env: Record<string, string> }>([
  { path: 'the native addon', env: {} },
  { path: 'JavaScript (WHARF_ZERO_COPY=off)', env: { WHARF_ZERO_COPY: 'off' } },
])('uploads through $path', ({ env }) => {
  const suite = wharfSuite('upload-paths', () => ({ env }));
  let client: RegistryClient;

  beforeAll(async () => {
    client = await suite.wharf.hostedClient('hosted');
  });

  it.each<[UploadMode, number]>([
    ['stream', 20 * MiB + 3],
    ['chunked', 20 * MiB + 3],
    ['monolithic', 5 * MiB],
  ])('a %s upload of %i bytes is stored under its digest and pulled back byte for byte', async (mode, size) => {
    const blob = typedBlob('application/octet-stream', randomBytes(size));
    await client.uploadBlob(`team/${mode}`, blob, { mode, chunkSize: 6 * MiB });
    expect(await client.fetchBlob(`team/${mode}`, blob.digest)).toEqual({ status: 200, digest: blob.digest, size });
  });

  it('a digest mismatch is 400 DIGEST_INVALID and stores nothing', async () => {
    const blob = typedBlob('application/octet-stream', randomBytes(3 * MiB));
    const claimed = typedBlob('application/octet-stream', randomBytes(8)).digest;
    const location = await client.startUpload('team/mismatch');
    const patch = await client.request('PATCH', location.toString(), { name: 'team/mismatch', body: blob.bytes });
    expect(patch.status, patch.text()).toBe(202);
    const put = await client.request('PUT', withDigest(client.location(patch), claimed).toString(), { name: 'team/mismatch' });
    expect(put.status).toBe(400);
    expect((put.json() as { errors: { code: string }[] }).errors[0]!.code).toBe('DIGEST_INVALID');
    for (const digest of [claimed, blob.digest]) expect((await client.headBlob('team/mismatch', digest)).status).toBe(404);
  });
});
