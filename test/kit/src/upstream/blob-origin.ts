import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { forward } from './forward';
import { type SeenRequest, seen } from './requests';
import { Served, type ServeTls } from './served';

export interface BlobOriginOptions {
  /** Read the blobs from this registry (GET <target>/v2/<image>/blobs/<digest>); without it, from `objects`. */
  target?: string;
  tls?: ServeTls;
}

/**
 * A second origin ("object storage") that an UpstreamRegistry's blob redirects send clients to, with a
 * signed-looking query, recording which Authorization header (if any) each request carried. It serves
 * `/objects/.../<digest>` from its own `objects`, or reads the blob from a real registry.
 */
export class BlobOrigin extends Served {
  readonly requests: SeenRequest[] = [];
  /** Digest -> bytes, when there is no target. */
  readonly objects = new Map<string, Buffer>();
  /** Answer a request here instead (return true when handled). */
  hook: ((req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => boolean) | undefined;

  private constructor(private readonly target: string | null, tls: ServeTls | null) {
    super(tls);
  }

  static async start(options: BlobOriginOptions = {}): Promise<BlobOrigin> {
    const origin = new BlobOrigin(options.target?.replace(/\/+$/, '') ?? null, options.tls ?? null);
    await origin.start(0);
    return origin;
  }

  /** Where a registry redirects a blob GET of `apiPath` (/v2/<image>/blobs/<digest>) to. */
  locationFor(apiPath: string): string {
    return `${this.url}/objects${apiPath}?X-Amz-Signature=s3cr3t-signature`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry = seen(req, res);
    this.requests.push(entry);
    if (this.hook?.(req, res, entry)) return;
    const notFound = () => void res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
    if (!entry.path.startsWith('/objects/')) return notFound();
    if (this.target) {
      const upstream = await forward(`${this.target}${entry.path.slice('/objects'.length)}`, req.method ?? 'GET', {});
      res.writeHead(upstream.statusCode ?? 502, pick(upstream.headers, ['content-length', 'content-type', 'docker-content-digest', 'etag']));
      return pipeline(upstream, res);
    }
    const body = this.objects.get(decodeURIComponent(entry.path.slice(entry.path.lastIndexOf('/') + 1)));
    if (body === undefined) return notFound();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  }
}

function pick(headers: IncomingMessage['headers'], names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = headers[n];
    if (typeof v === 'string') out[n] = v;
  }
  return out;
}
