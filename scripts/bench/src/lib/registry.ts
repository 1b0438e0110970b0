// A minimal OCI distribution client for the benchmark: blob uploads (monolithic and chunked),
// manifests, blob downloads. A target is { name, baseUrl, headers } (headers carry the auth).
import type * as http from 'node:http';
import { request, streamUpload, downloadAndHash, type BufferedResponse, type HashedResponse } from './http';
import { MEDIA, type RandomSource } from './content';

/** Where a registry answers (baseUrl, without /v2) and the headers every request carries (auth). */
export interface Endpoint {
  name: string;
  baseUrl: string;
  headers: Record<string, string>;
}

export function expectStatus<R extends { status: number; body?: Buffer }>(res: R, expected: number, what: string): R {
  if (res.status !== expected) {
    const body = res.body ? res.body.toString('utf8').slice(0, 500) : '';
    throw new Error(`${what}: expected ${expected}, got ${res.status} ${body}`);
  }
  return res;
}

function resolveLocation(target: Endpoint, res: BufferedResponse, what: string): URL {
  const location = res.headers.location;
  if (!location) throw new Error(`${what}: no Location header`);
  return new URL(location, target.baseUrl);
}

async function startUpload(target: Endpoint, image: string, agent: http.Agent | undefined): Promise<URL> {
  const res = await request(`${target.baseUrl}/v2/${image}/blobs/uploads/`, {
    method: 'POST',
    headers: { ...target.headers, 'Content-Length': 0 },
    agent,
  });
  expectStatus(res, 202, `${target.name}: POST upload`);
  return resolveLocation(target, res, `${target.name}: POST upload`);
}

/** POST + PUT with the whole (small) blob. */
export async function uploadSmallBlob(target: Endpoint, image: string, bytes: Buffer, digest: string, agent?: http.Agent): Promise<void> {
  const location = await startUpload(target, image, agent);
  location.searchParams.set('digest', digest);
  const res = await request(location.href, {
    method: 'PUT',
    headers: { ...target.headers, 'Content-Type': 'application/octet-stream' },
    body: bytes,
    agent,
  });
  expectStatus(res, 201, `${target.name}: PUT blob ${digest}`);
  if (res.headers['docker-content-digest'] && res.headers['docker-content-digest'] !== digest) {
    throw new Error(`${target.name}: stored digest ${res.headers['docker-content-digest']} != ${digest}`);
  }
}

/**
 * POST, then PATCH chunks of `chunkSize` with Content-Range (streamed from `source`), then PUT ?digest=.
 * Returns per-chunk durations in ms.
 */
export async function uploadChunked(
  target: Endpoint,
  image: string,
  source: RandomSource,
  digest: string,
  chunkSize: number,
  agent?: http.Agent,
): Promise<{ chunkMs: number[]; finishMs: number }> {
  let location = await startUpload(target, image, agent);
  const chunkMs: number[] = [];
  for (let start = 0; start < source.size; start += chunkSize) {
    const end = Math.min(start + chunkSize, source.size);
    const t0 = process.hrtime.bigint();
    const res = await streamUpload(
      location.href,
      {
        method: 'PATCH',
        headers: {
          ...target.headers,
          'Content-Type': 'application/octet-stream',
          'Content-Length': end - start,
          'Content-Range': `${start}-${end - 1}`,
        },
        agent,
      },
      (write) => source.forEach(start, end, write),
    );
    expectStatus(res, 202, `${target.name}: PATCH ${start}-${end - 1}`);
    chunkMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    location = resolveLocation(target, res, `${target.name}: PATCH`);
  }
  location.searchParams.set('digest', digest);
  const t0 = process.hrtime.bigint();
  const res = await request(location.href, {
    method: 'PUT',
    headers: { ...target.headers, 'Content-Length': 0 },
    agent,
  });
  expectStatus(res, 201, `${target.name}: PUT ?digest= (finish upload)`);
  const finishMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { chunkMs, finishMs };
}

export async function putManifest(target: Endpoint, image: string, reference: string, bytes: Buffer, agent?: http.Agent): Promise<string | undefined> {
  const res = await request(`${target.baseUrl}/v2/${image}/manifests/${reference}`, {
    method: 'PUT',
    headers: { ...target.headers, 'Content-Type': MEDIA.manifest },
    body: bytes,
    agent,
  });
  expectStatus(res, 201, `${target.name}: PUT manifest ${image}:${reference}`);
  return headerValue(res.headers['docker-content-digest']);
}

export async function getManifest(target: Endpoint, image: string, reference: string, agent?: http.Agent): Promise<BufferedResponse> {
  return request(`${target.baseUrl}/v2/${image}/manifests/${reference}`, {
    headers: { ...target.headers, Accept: MEDIA.manifest },
    agent,
  });
}

export function blobUrl(target: Pick<Endpoint, 'baseUrl'>, image: string, digest: string): string {
  return `${target.baseUrl}/v2/${image}/blobs/${digest}`;
}

/** GET a blob, hashing it as it arrives; throws unless 200 with the expected digest and size. */
export async function pullBlob(target: Endpoint, image: string, digest: string, size: number, agent?: http.Agent): Promise<HashedResponse> {
  const res = await downloadAndHash(blobUrl(target, image, digest), { headers: target.headers, agent });
  if (res.status !== 200) throw new Error(`${target.name}: GET blob ${digest}: status ${res.status}`);
  if (res.bytes !== size) throw new Error(`${target.name}: GET blob ${digest}: ${res.bytes} bytes, expected ${size}`);
  if (res.digest !== digest) throw new Error(`${target.name}: GET blob: content hashes to ${res.digest}, expected ${digest}`);
  return res;
}

/** A response header as one string (the first value of a repeated one). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
