import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** What a request to a registry asks for. */
export type RequestKind = 'ping' | 'manifest-get' | 'manifest-head' | 'blob-get' | 'blob-head' | 'tags' | 'catalog' | 'other';

/** A request one of the harness's servers received. */
export interface SeenRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  /** Path without the query. */
  path: string;
  /** The query's parameters (the first value of each). */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  authorization?: string;
  userAgent?: string;
  /** What it asks a registry for ('other' on the token server and the blob origin). */
  kind: RequestKind;
  /** Repository name (e.g. library/busybox) for manifest/blob/tags requests. */
  image?: string;
  /** Tag or digest for manifest/blob requests. */
  reference?: string;
  /** Status answered (0 until the head is out, -1 when the connection was cut first). */
  status: number;
}

const MANIFEST_OR_BLOB = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/;
const TAGS = /^\/v2\/(.+)\/tags\/list$/;

/** Which registry API call `method path` is (path without a mirror prefix or a query). */
export function classify(method: string, path: string): Pick<SeenRequest, 'kind' | 'image' | 'reference'> {
  if (path === '/v2/' || path === '/v2') return { kind: 'ping' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  const tags = TAGS.exec(path);
  if (tags) return { kind: 'tags', image: tags[1]! };
  const m = MANIFEST_OR_BLOB.exec(path);
  if (m && m[3] !== 'uploads' && (method === 'GET' || method === 'HEAD')) {
    const what = m[2] === 'manifests' ? 'manifest' : 'blob';
    return { kind: `${what}-${method.toLowerCase()}` as RequestKind, image: m[1]!, reference: m[3]! };
  }
  return { kind: 'other' };
}

/**
 * Records `req` (classified by `apiPath`, the path without a mirror prefix) and follows its answer: the status is
 * taken when the head goes out, -1 when the connection is cut before.
 */
export function seen(req: IncomingMessage, res: ServerResponse, apiPath?: string): SeenRequest {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const parsed = new URL(url, 'http://harness');
  const entry: SeenRequest = {
    method,
    url,
    path: parsed.pathname,
    query: Object.fromEntries(parsed.searchParams.entries()),
    headers: { ...req.headers },
    ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
    ...(apiPath === undefined ? { kind: 'other' as const } : classify(method, apiPath)),
    status: 0,
  };
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    entry.status = status;
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
  res.once('close', () => {
    if (entry.status === 0) entry.status = res.writableFinished ? res.statusCode : -1;
  });
  return entry;
}

/** The registry's error body. */
export function errorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message, detail: null }] });
}

/** Credentials of a Basic Authorization header, or null. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A latch: `wait()` resolves once `open()` was called. */
export class Gate {
  private resolveOpen!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.resolveOpen = resolve));

  open(): void {
    this.resolveOpen();
  }

  wait(): Promise<void> {
    return this.opened;
  }
}
