import { request as httpRequest } from 'node:http';

/** A response read whole: status, headers and the exact body bytes. */
export interface HttpResult {
  status: number;
  headers: Headers;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
  /** The `code` of each entry of a registry error body (`{"errors":[...]}`), [] when there is none. */
  errorCodes(): string[];
  header(name: string): string | null;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Credentials for this request only: overrides the client's; `null` sends none. */
  auth?: { username: string; password: string } | null;
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function result(status: number, headers: Headers, body: Buffer): HttpResult {
  return {
    status,
    headers,
    body,
    text: () => body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
    errorCodes: () => {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: string }[] };
        return Array.isArray(parsed.errors) ? parsed.errors.map((e) => String(e.code)) : [];
      } catch {
        return [];
      }
    },
    header: (name: string) => headers.get(name),
  };
}

/** A request with one HTTP method: a path (or absolute URL) and the options. */
type Verb = (pathOrUrl: string, options?: RequestOptions) => Promise<HttpResult>;

/**
 * A tiny fetch-based HTTP client bound to one origin, sending HTTP Basic credentials when it has them.
 * Paths may be absolute URLs (e.g. a Location header) or paths relative to the origin.
 */
export class HttpClient {
  constructor(
    readonly origin: string,
    readonly auth: { username: string; password: string } | null,
  ) {}

  /** The same origin, other credentials (null: anonymous). */
  as(auth: { username: string; password: string } | null): HttpClient {
    return new HttpClient(this.origin, auth);
  }

  url(pathOrUrl: string): string {
    return new URL(pathOrUrl, this.origin).toString();
  }

  async request(method: string, pathOrUrl: string, options: RequestOptions = {}): Promise<HttpResult> {
    const auth = options.auth === undefined ? this.auth : options.auth;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (auth) headers.Authorization = basicAuth(auth.username, auth.password);
    const res = await fetch(this.url(pathOrUrl), {
      method,
      headers,
      ...(options.body !== undefined ? { body: options.body } : {}),
      redirect: 'manual',
    });
    const body = Buffer.from(await res.arrayBuffer());
    return result(res.status, res.headers, body);
  }

  readonly get: Verb = (path, options) => this.request('GET', path, options);
  readonly head: Verb = (path, options) => this.request('HEAD', path, options);
  readonly delete: Verb = (path, options) => this.request('DELETE', path, options);
  readonly post: Verb = (path, options) => this.request('POST', path, options);
  readonly put: Verb = (path, options) => this.request('PUT', path, options);
  readonly patch: Verb = (path, options) => this.request('PATCH', path, options);

  /** JSON body with Content-Type application/json. A string is sent as is (for malformed JSON). */
  sendJson(method: string, path: string, value: unknown, options: RequestOptions = {}): Promise<HttpResult> {
    return this.request(method, path, {
      ...options,
      headers: { 'Content-Type': 'application/json', ...(options.headers ?? {}) },
      body: typeof value === 'string' ? value : JSON.stringify(value),
    });
  }
}

export interface RawRequest {
  port: number;
  method: string;
  /** Sent exactly as given: no URL normalisation (fetch would resolve "/../"). */
  path: string;
  headers?: Record<string, string | number>;
  /** Written in these pieces; with no Content-Length header the request uses chunked transfer encoding. */
  body?: Buffer[];
  /** The client's source address (any 127.x.y.z reaches a loopback listener): to be another client. */
  localAddress?: string;
}

/**
 * One request over node:http on its own connection. Resolves with the response even when the server
 * answers (and closes) before the whole body was sent, which fetch reports as a network error.
 */
export function rawRequest(options: RawRequest): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let gotResponse = false;
    const req = httpRequest(
      { host: '127.0.0.1', port: options.port, method: options.method, path: options.path, headers: options.headers ?? {}, agent: false, ...(options.localAddress ? { localAddress: options.localAddress } : {}) },
      (res) => {
        gotResponse = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => {
          if (!settled) {
            settled = true;
            reject(err);
          }
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined) continue;
            for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
          }
          resolve(result(res.statusCode ?? 0, headers, Buffer.concat(chunks)));
        });
      },
    );
    req.on('error', (err) => {
      // EPIPE/ECONNRESET while still writing a body the server refused: the response decides.
      if (gotResponse || settled) return;
      settled = true;
      reject(err);
    });
    const pieces = options.body ?? [];
    const writeNext = (i: number): void => {
      if (i >= pieces.length || req.destroyed) {
        req.end();
        return;
      }
      const ok = req.write(pieces[i]);
      if (ok) setImmediate(() => writeNext(i + 1));
      else req.once('drain', () => writeNext(i + 1));
    };
    writeNext(0);
  });
}
