import { createReadStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { type Descriptor, digestStream, type DiskImage, type LayerFile, MANIFEST_ACCEPT, sha256, type TypedBlob } from '@wharf/test-kit';
import { basicAuth, header, readResponse, send, sendStream, type HttpResponse } from './http';

export interface RegistryEndpoint {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /**
   * Path of the API root. '/v2' on a connector port or for `/v2/<repo>/<image>` routing (then the
   * image name includes the repository), '/repository/<repo>/v2' for Wharf's prefixed routing.
   */
  v2Path?: string;
  username?: string;
  password?: string;
}

export type UploadMode =
  /** POST, then one PUT ?digest= carrying the whole blob with Content-Length. */
  | 'monolithic'
  /** POST, PATCHes with Content-Range of `chunkSize` each, then PUT ?digest=. */
  | 'chunked'
  /** POST, one PATCH streaming the whole blob without a length (what docker does), then PUT ?digest=. */
  | 'stream';

export interface RequestOptions {
  headers?: Record<string, string | number>;
  /** A Buffer, or a factory for a fresh stream (called again if auth has to be retried). */
  body?: Buffer | string | (() => Readable);
  /** Repository name the request is about (for a Bearer token's scope). */
  name?: string;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * A minimal registry client (Docker Registry HTTP API v2 / OCI distribution) over plain HTTP.
 * Answers a 401 challenge the way docker does: Basic directly, or Bearer via the token realm.
 */
export class RegistryClient {
  readonly baseUrl: string;
  readonly v2Path: string;
  private readonly authByName = new Map<string, string>();

  constructor(private readonly endpoint: RegistryEndpoint) {
    this.baseUrl = endpoint.baseUrl.replace(/\/$/, '');
    this.v2Path = (endpoint.v2Path ?? '/v2').replace(/\/$/, '');
  }

  /** The same endpoint with other (or no) credentials. */
  withCredentials(username?: string, password?: string): RegistryClient {
    return new RegistryClient({ ...this.endpoint, username, password });
  }

  /** Absolute URL for a path below the API root ("/" -> ".../v2/"), or an absolute URL as is. */
  url(pathOrUrl: string): URL {
    if (/^https?:\/\//.test(pathOrUrl)) return new URL(pathOrUrl);
    return new URL(`${this.baseUrl}${this.v2Path}${pathOrUrl}`);
  }

  async requestStream(method: string, pathOrUrl: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    const url = this.url(pathOrUrl);
    const key = opts.name ?? '';
    const attempt = (auth: string | undefined) => {
      const headers = { ...(opts.headers ?? {}) };
      if (auth) headers.Authorization = auth;
      const body = typeof opts.body === 'function' ? opts.body() : opts.body;
      return sendStream(url, { method, headers, body, timeoutMs: 600_000 });
    };
    let res = await attempt(this.authByName.get(key) ?? this.authByName.get('*'));
    if (res.statusCode === 401 && this.endpoint.username !== undefined) {
      const challenge = parseChallenge(header(res.headers, 'www-authenticate'));
      res.resume();
      if (challenge) {
        const auth = await this.answer(challenge, opts.name);
        this.authByName.set(challenge.scheme === 'basic' ? '*' : key, auth);
        res = await attempt(auth);
      }
    }
    return res;
  }

  async request(method: string, pathOrUrl: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    return readResponse(await this.requestStream(method, pathOrUrl, opts));
  }

  private async answer(challenge: Challenge, name: string | undefined): Promise<string> {
    const { username = '', password = '' } = this.endpoint;
    if (challenge.scheme === 'basic') return basicAuth(username, password);
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) {
      throw new Error(`unsupported WWW-Authenticate challenge: ${JSON.stringify(challenge)}`);
    }
    const tokenUrl = new URL(challenge.params.realm, this.baseUrl);
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    const scope = challenge.params.scope ?? (name ? `repository:${name}:pull,push` : undefined);
    if (scope) tokenUrl.searchParams.set('scope', scope);
    const res = await send(tokenUrl, { headers: { Authorization: basicAuth(username, password) } });
    if (res.status !== 200) throw new Error(`token endpoint ${tokenUrl} answered ${res.status}: ${res.text()}`);
    const body = res.json<{ token?: string; access_token?: string }>();
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`token endpoint ${tokenUrl} returned no token`);
    return `Bearer ${token}`;
  }

  // ---- reading --------------------------------------------------------------------------------

  ping(): Promise<HttpResponse> {
    return this.request('GET', '/');
  }

  async headBlob(name: string, digest: string): Promise<HttpResponse> {
    return this.request('HEAD', `/${name}/blobs/${digest}`, { name });
  }

  async getManifest(name: string, reference: string, accept = MANIFEST_ACCEPT): Promise<HttpResponse> {
    return this.request('GET', `/${name}/manifests/${reference}`, { name, headers: { Accept: accept } });
  }

  /** Streams a blob (following a redirect, without credentials) and returns what was received. */
  async fetchBlob(name: string, digest: string): Promise<{ status: number; digest: string; size: number }> {
    let res = await this.requestStream('GET', `/${name}/blobs/${digest}`, { name });
    for (let hops = 0; res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
      const location = header(res.headers, 'location');
      res.resume();
      if (!location) break;
      res = await sendStream(new URL(location, this.url(`/${name}/blobs/${digest}`)));
    }
    if (res.statusCode !== 200) {
      res.resume();
      return { status: res.statusCode ?? 0, digest: '', size: 0 };
    }
    const got = await digestStream(res);
    return { status: 200, ...got };
  }

  /**
   * Pulls `name:reference` as a client would: the manifest, then every blob it names, each one
   * hashed while streaming. Nothing is asserted here; the test compares what it relies on.
   */
  async pull(name: string, reference: string): Promise<PulledImage> {
    const res = await this.getManifest(name, reference);
    if (res.status !== 200) {
      throw new Error(`GET manifest ${name}:${reference} answered ${res.status}: ${res.text()}`);
    }
    const manifest = JSON.parse(res.text()) as { mediaType?: string; config: Descriptor; layers: Descriptor[] };
    const blobs: PulledBlob[] = [];
    for (const d of [manifest.config, ...manifest.layers]) {
      const got = await this.fetchBlob(name, d.digest);
      blobs.push({ expected: d, status: got.status, digest: got.digest, size: got.size });
    }
    return {
      digest: sha256(res.body),
      headerDigest: header(res.headers, 'docker-content-digest'),
      contentType: header(res.headers, 'content-type'),
      bytes: res.body,
      config: blobs[0]!,
      layers: blobs.slice(1),
    };
  }

  // ---- writing --------------------------------------------------------------------------------

  /** POST /blobs/uploads/ -> absolute upload URL (202 expected). */
  async startUpload(name: string): Promise<URL> {
    const res = await this.request('POST', `/${name}/blobs/uploads/`, { name });
    if (res.status !== 202) throw uploadError('POST blobs/uploads/', res);
    return this.location(res);
  }

  location(res: HttpResponse | IncomingMessage): URL {
    const loc = header(res.headers, 'location');
    if (!loc) throw new Error('registry answered without a Location header');
    return new URL(loc, this.baseUrl);
  }

  /** Uploads one blob; resolves with the committed blob's URL (201 expected at the end). */
  async uploadBlob(
    name: string,
    blob: LayerFile | TypedBlob,
    { mode = 'monolithic', chunkSize = 8 << 20 }: { mode?: UploadMode; chunkSize?: number } = {},
  ): Promise<URL> {
    let location = await this.startUpload(name);
    const octet = { 'Content-Type': 'application/octet-stream' };
    if (mode === 'monolithic') {
      const res = await this.request('PUT', withDigest(location, blob.digest).toString(), {
        name,
        headers: { ...octet, 'Content-Length': blob.size },
        body: 'bytes' in blob ? blob.bytes : () => createReadStream(blob.path, { highWaterMark: 1 << 20 }),
      });
      if (res.status !== 201) throw uploadError('PUT (monolithic)', res);
      return this.location(res);
    }
    if (mode === 'stream') {
      const res = await this.request('PATCH', location.toString(), {
        name,
        headers: octet,
        body: 'bytes' in blob ? blob.bytes : () => createReadStream(blob.path, { highWaterMark: 1 << 20 }),
      });
      if (res.status !== 202) throw uploadError('PATCH (streamed)', res);
      location = this.location(res);
    } else {
      for (let start = 0; start < blob.size; start += chunkSize) {
        const end = Math.min(blob.size, start + chunkSize) - 1;
        const res = await this.request('PATCH', location.toString(), {
          name,
          headers: { ...octet, 'Content-Range': `${start}-${end}`, 'Content-Length': end - start + 1 },
          body:
            'bytes' in blob
              ? blob.bytes.subarray(start, end + 1)
              : () => createReadStream(blob.path, { start, end, highWaterMark: 1 << 20 }),
        });
        if (res.status !== 202) throw uploadError(`PATCH bytes ${start}-${end}`, res);
        location = this.location(res);
      }
    }
    const res = await this.request('PUT', withDigest(location, blob.digest).toString(), { name });
    if (res.status !== 201) throw uploadError('PUT ?digest= (close upload)', res);
    return this.location(res);
  }

  async putManifest(name: string, reference: string, manifest: TypedBlob): Promise<HttpResponse> {
    return this.request('PUT', `/${name}/manifests/${reference}`, {
      name,
      headers: { 'Content-Type': manifest.mediaType },
      body: manifest.bytes,
    });
  }

  /**
   * Pushes a built image: each blob not already present (HEAD), then the manifest under `tag`.
   * Resolves with the manifest digest the registry reported.
   */
  async pushImage(
    name: string,
    tag: string,
    image: DiskImage,
    opts: { mode?: UploadMode; chunkSize?: number; layerModes?: UploadMode[] } = {},
  ): Promise<string> {
    const blobs: Array<[LayerFile | TypedBlob, UploadMode | undefined]> = [
      ...image.layers.map((l, i) => [l, opts.layerModes?.[i] ?? opts.mode] as [LayerFile, UploadMode | undefined]),
      [image.config, opts.mode],
    ];
    for (const [blob, mode] of blobs) {
      const head = await this.headBlob(name, blob.digest);
      if (head.status === 200) continue;
      await this.uploadBlob(name, blob, { mode, chunkSize: opts.chunkSize });
    }
    const res = await this.putManifest(name, tag, image.manifest);
    if (res.status !== 201) throw uploadError(`PUT manifest ${name}:${tag}`, res);
    return header(res.headers, 'docker-content-digest') ?? image.manifest.digest;
  }
}

export interface PulledBlob {
  expected: Descriptor;
  status: number;
  /** Digest and size of the bytes actually received. */
  digest: string;
  size: number;
}

export interface PulledImage {
  /** sha256 of the manifest bytes received. */
  digest: string;
  headerDigest: string | undefined;
  contentType: string | undefined;
  bytes: Buffer;
  config: PulledBlob;
  layers: PulledBlob[];
}

export function withDigest(location: URL, digest: string): URL {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u;
}

export function parseChallenge(value: string | undefined): Challenge | null {
  if (!value) return null;
  const m = /^\s*(\w+)\s*(.*)$/.exec(value);
  if (!m) return null;
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]*))/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  return { scheme: m[1]!.toLowerCase(), params };
}

function uploadError(step: string, res: HttpResponse): Error {
  return new Error(`${step} answered ${res.status}: ${res.text().slice(0, 500)}`);
}
