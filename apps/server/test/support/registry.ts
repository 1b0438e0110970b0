import { expect } from 'vitest';
import { type Blob, type Manifest, imageManifest, indexManifest, manifestDescriptor, sha256 } from '@wharf/test-kit';
import type { HttpClient, HttpResult, RequestOptions } from './http';

/**
 * The registry API in one addressing form: a connector port (root ''), the main port with
 * `/v2/<repo>/<image>` (root '', names prefixed by the repository), or `/repository/<repo>/v2/<image>`
 * (root '/repository/<repo>').
 */
export class Registry {
  constructor(
    readonly http: HttpClient,
    /** Path before `/v2/`: '' or '/repository/<repo>'. */
    readonly root = '',
  ) {}

  path(name: string, tail: string): string {
    return `${this.root}/v2/${name}/${tail}`;
  }

  manifestPath(name: string, reference: string): string {
    return this.path(name, `manifests/${reference}`);
  }

  blobPath(name: string, digest: string): string {
    return this.path(name, `blobs/${digest}`);
  }

  uploadsPath(name: string, query = ''): string {
    return this.path(name, `blobs/uploads/${query}`);
  }

  /** POST /blobs/uploads/: a new session (asserts 202 and its Location). */
  async startUpload(name: string): Promise<{ location: string; uuid: string; res: HttpResult }> {
    const res = await this.http.post(this.uploadsPath(name));
    expect(res.status, res.text()).toBe(202);
    const location = res.header('location');
    expect(location).toBeTruthy();
    return { location: location!, uuid: res.header('docker-upload-uuid') ?? '', res };
  }

  /** Monolithic POST + PUT upload; asserts 201 and returns the PUT response. */
  async pushBlob(name: string, blob: Blob): Promise<HttpResult> {
    const { location } = await this.startUpload(name);
    const res = await this.http.put(withQuery(location, { digest: blob.digest }), {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: blob.bytes,
    });
    expect(res.status, res.text()).toBe(201);
    return res;
  }

  async pushBlobs(name: string, blobs: Blob[]): Promise<void> {
    for (const blob of blobs) await this.pushBlob(name, blob);
  }

  putManifest(name: string, reference: string, manifest: Manifest | Buffer, contentType?: string, options: RequestOptions = {}): Promise<HttpResult> {
    const bytes = Buffer.isBuffer(manifest) ? manifest : manifest.bytes;
    const type = contentType ?? (Buffer.isBuffer(manifest) ? undefined : manifest.mediaType);
    return this.http.put(this.manifestPath(name, reference), {
      ...options,
      headers: { ...(type ? { 'Content-Type': type } : {}), ...(options.headers ?? {}) },
      body: bytes,
    });
  }

  /** Pushes the manifest's blobs, then the manifest under `reference` (tag or digest); asserts 201. */
  async pushImage(name: string, reference: string, manifest: Manifest): Promise<HttpResult> {
    await this.pushBlobs(name, manifest.blobs);
    const res = await this.putManifest(name, reference, manifest);
    expect(res.status, res.text()).toBe(201);
    return res;
  }

  /** A multi-platform image: linux/amd64 and linux/arm64 images pushed by digest, then their OCI index as `tag` (asserts 201). */
  async pushPlatformIndex(name: string, tag: string): Promise<{ index: Manifest; children: Manifest[]; put: HttpResult }> {
    const children = [imageManifest(), imageManifest()];
    for (const child of children) await this.pushImage(name, child.digest, child);
    const index = indexManifest(children.map((child, i) => manifestDescriptor(child, { platform: { architecture: ['amd64', 'arm64'][i]!, os: 'linux' } })));
    return { index, children, put: await this.pushImage(name, tag, index) };
  }

  getManifest(name: string, reference: string, options?: RequestOptions): Promise<HttpResult> {
    return this.http.get(this.manifestPath(name, reference), options);
  }

  headManifest(name: string, reference: string, options?: RequestOptions): Promise<HttpResult> {
    return this.http.head(this.manifestPath(name, reference), options);
  }

  getBlob(name: string, digest: string, options?: RequestOptions): Promise<HttpResult> {
    return this.http.get(this.blobPath(name, digest), options);
  }

  headBlob(name: string, digest: string, options?: RequestOptions): Promise<HttpResult> {
    return this.http.head(this.blobPath(name, digest), options);
  }

  tags(name: string, query = ''): Promise<HttpResult> {
    return this.http.get(this.path(name, `tags/list${query}`));
  }

  referrers(name: string, digest: string, query = ''): Promise<HttpResult> {
    return this.http.get(this.path(name, `referrers/${digest}${query}`));
  }

  catalog(query = ''): Promise<HttpResult> {
    return this.http.get(`${this.root}/v2/_catalog${query}`);
  }
}

/** Adds query parameters to a URL or path that may already have some (Location values are opaque). */
export function withQuery(location: string, params: Record<string, string>): string {
  const url = new URL(location, 'http://placeholder');
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return /^https?:/i.test(location) ? url.toString() : `${url.pathname}${url.search}`;
}

/** The path of a Location header (absolute or relative). */
export function pathOf(location: string | null): string {
  expect(location, 'Location header').toBeTruthy();
  return new URL(location!, 'http://placeholder').pathname;
}

/** Asserts a registry error: status, the code of the first error, and the API version header every response carries. */
export function expectRegistryError(res: HttpResult, status: number, code: string): void {
  expect({ status: res.status, codes: res.errorCodes() }, res.text()).toEqual({ status, codes: expect.arrayContaining([code]) as unknown });
  expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
  expect(res.header('content-type') ?? '').toMatch(/^application\/json/);
}

/** Parses an RFC 8288 `Link: <url>; rel="next"` header into the URL. */
export function nextLink(res: HttpResult): string | null {
  const link = res.header('link');
  if (!link) return null;
  const m = /^<([^>]+)>;\s*rel="next"$/.exec(link.trim());
  expect(m, `malformed Link header ${link}`).not.toBeNull();
  return m![1]!;
}

/** A HEAD error has no body: only the status and the API version header can be checked. */
export function expectHeadError(res: HttpResult, status: number): void {
  expect(res.status).toBe(status);
  expect(res.body.length).toBe(0);
  expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
}

/**
 * A manifest or blob served whole: 200 with its Docker-Content-Digest and exact Content-Length; a GET carries its
 * bytes (hashing to the digest), a HEAD no body.
 */
export function expectServed(res: HttpResult, content: Blob, method: 'GET' | 'HEAD' = 'GET'): void {
  expect(res.status, res.text()).toBe(200);
  expect(res.header('docker-content-digest')).toBe(content.digest);
  expect(Number(res.header('content-length'))).toBe(content.size);
  expect(res.body.length).toBe(method === 'HEAD' ? 0 : content.size);
  if (method === 'GET') {
    expect(res.body.equals(content.bytes)).toBe(true);
    expect(sha256(res.body)).toBe(content.digest);
  }
}
