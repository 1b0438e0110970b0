// A counting pass-through HTTP proxy, run as its own process (so it shares no event loop with the
// bench client): every request is forwarded to one upstream registry as it arrives, bodies are
// streamed both ways with backpressure (pipe, nothing buffered), and requests are counted by kind
// (ping, manifest GET/HEAD, blob GET/HEAD, other) with bytes sent back downstream.
//
//   node dist/lib/passthrough.ts <listen port> <upstream base URL> [--tls <cert> <key>] [--redirect-blobs-to <base URL>]
//
// GET /_passthrough/counts answers the counters as JSON; it is not forwarded (?resetMax=1 also
// restarts the "most blob GETs in flight at once" high-water mark). In the bench one
// instance stands in front of the shared upstream for each proxy under test, so each proxy's
// upstream traffic is counted separately. With --tls it serves HTTPS (an HTTPS upstream, as the proxies
// see it); with --redirect-blobs-to it answers blob GETs with 307 to that base URL + the same path, as Docker
// Hub sends them to its CDN (another host), and forwards everything else.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { freePorts, retryWhenPortTaken } from './ports';
import { request, waitFor } from './http';
import { errorMessage, startProcess, stopProcess, type TrackedChild } from './proc';
import type { BenchTls } from './tls';

const COUNTS_PATH = '/_passthrough/counts';
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];
export const KINDS = ['ping', 'manifest-get', 'manifest-head', 'blob-get', 'blob-head', 'other'] as const;
export type RequestKind = (typeof KINDS)[number];

/** The pass-through's counters (GET /_passthrough/counts). */
export interface Counts {
  requests: Record<RequestKind, number>;
  bytesDown: Record<RequestKind, number>;
  status: Record<string, number>;
  aborted: number;
  errors: number;
  inflight: number;
  maxInflightBlobGets: number;
  inflightBlobGets: number;
  /** The first few unexpected requests, for the report. */
  other: string[];
}

/** What a measurement caused: counts after - before (and all requests together). */
export interface CountsDiff extends Pick<Counts, 'requests' | 'bytesDown' | 'aborted' | 'errors' | 'maxInflightBlobGets' | 'other'> {
  total: number;
}

export interface Passthrough {
  id: string;
  url: string;
  pid: number;
  child: TrackedChild;
  logFile: string;
  counts(options?: { resetMax?: boolean }): Promise<Counts>;
  stop(): Promise<void>;
}

function perKind(value: (kind: RequestKind) => number): Record<RequestKind, number> {
  return Object.fromEntries(KINDS.map((k) => [k, value(k)])) as Record<RequestKind, number>;
}

export function classify(method: string | undefined, url: string): RequestKind {
  const p = url.split('?')[0] ?? '';
  if (p === '/v2/' || p === '/v2') return 'ping';
  if (/\/manifests\/[^/]+$/.test(p)) {
    if (method === 'GET') return 'manifest-get';
    if (method === 'HEAD') return 'manifest-head';
  }
  if (/\/blobs\/sha256:[0-9a-f]{64}$/.test(p)) {
    if (method === 'GET') return 'blob-get';
    if (method === 'HEAD') return 'blob-head';
  }
  return 'other';
}

function withoutHopByHop<H extends http.IncomingHttpHeaders>(headers: H): H {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

function serve(
  listenPort: number,
  upstreamBase: string,
  { tls = null, redirectBlobsTo = null }: { tls?: { cert: string; key: string } | null; redirectBlobsTo?: string | null } = {},
): void {
  const upstream = new URL(upstreamBase);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const counts: Counts = {
    requests: perKind(() => 0),
    bytesDown: perKind(() => 0),
    status: {},
    aborted: 0,
    errors: 0,
    inflight: 0,
    maxInflightBlobGets: 0,
    inflightBlobGets: 0,
    other: [], // first few unexpected requests, for the report
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? '/';
    if (url === COUNTS_PATH || url === `${COUNTS_PATH}?resetMax=1`) {
      if (url !== COUNTS_PATH) counts.maxInflightBlobGets = counts.inflightBlobGets;
      const body = JSON.stringify(counts);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const kind = classify(req.method, url);
    counts.requests[kind]++;
    if (kind === 'other' && counts.other.length < 10) counts.other.push(`${req.method} ${url}`);
    if (kind === 'blob-get' && redirectBlobsTo) {
      counts.status[307] = (counts.status[307] ?? 0) + 1;
      res.writeHead(307, { Location: `${redirectBlobsTo}${url}`, 'Content-Length': 0 });
      res.end();
      return;
    }
    counts.inflight++;
    if (kind === 'blob-get') counts.maxInflightBlobGets = Math.max(counts.maxInflightBlobGets, ++counts.inflightBlobGets);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      counts.inflight--;
      if (kind === 'blob-get') counts.inflightBlobGets--;
    };
    const headers = withoutHopByHop(req.headers);
    headers.host = upstream.host;
    const up = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: url, headers, agent },
      (ures) => {
        const status = ures.statusCode ?? 502;
        counts.status[status] = (counts.status[status] ?? 0) + 1;
        res.writeHead(status, withoutHopByHop(ures.headers));
        ures.on('data', (c: Buffer) => (counts.bytesDown[kind] += c.length));
        ures.pipe(res);
        ures.on('error', () => res.destroy());
      },
    );
    up.on('error', () => {
      counts.errors++;
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Length': 0 });
        res.end();
      } else res.destroy();
      finish();
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        counts.aborted++;
        up.destroy();
      }
      finish();
    });
    req.pipe(up);
  };
  const server = tls ? https.createServer({ cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  server.listen(listenPort, '127.0.0.1');
}

/**
 * Starts a pass-through process in front of `upstreamUrl`; returns { name, url, pid, counts(), stop() }.
 * `tls` ({ certFile, keyFile }) makes it serve HTTPS; `redirectBlobsTo` makes blob GETs 307 there.
 */
export function startPassthrough(options: PassthroughOptions): Promise<Passthrough> {
  return retryWhenPortTaken(`pass-through ${options.id}`, () => startPassthroughOnce(options));
}

interface PassthroughOptions {
  id: string;
  upstreamUrl: string;
  logDir: string;
  tls?: BenchTls | null;
  redirectBlobsTo?: string | null;
}

async function startPassthroughOnce({ id, upstreamUrl, logDir, tls = null, redirectBlobsTo = null }: PassthroughOptions): Promise<Passthrough> {
  const [port] = await freePorts(1);
  const logFile = path.join(logDir, `${id}.log`);
  const extra = [...(tls ? ['--tls', tls.certFile, tls.keyFile] : []), ...(redirectBlobsTo ? ['--redirect-blobs-to', redirectBlobsTo] : [])];
  const child = startProcess(id, process.execPath, [__filename, String(port), upstreamUrl, ...extra], { logFile });
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}${COUNTS_PATH}`, { timeoutMs: 15_000, isAlive: () => !child.exitInfo });
  } catch (err) {
    await stopProcess(child);
    let log = '';
    try {
      log = fs.readFileSync(logFile, 'utf8').slice(-2000);
    } catch {
      // no log yet
    }
    throw new Error(`pass-through ${id} did not start: ${errorMessage(err)}\n--- ${logFile}:\n${log}`);
  }
  return {
    id,
    url,
    pid: child.pid,
    child,
    logFile,
    async counts({ resetMax = false } = {}) {
      const res = await request(`${url}${COUNTS_PATH}${resetMax ? '?resetMax=1' : ''}`, { timeoutMs: 10_000 });
      return JSON.parse(res.body.toString('utf8')) as Counts;
    },
    stop: () => stopProcess(child),
  };
}

/** after - before, for the request counters and bytes (by kind). */
export function diffCounts(before: Counts, after: Counts): CountsDiff {
  const requests = perKind((k) => after.requests[k] - before.requests[k]);
  return {
    requests,
    bytesDown: perKind((k) => after.bytesDown[k] - before.bytesDown[k]),
    total: KINDS.reduce((sum, k) => sum + requests[k], 0),
    aborted: after.aborted - before.aborted,
    errors: after.errors - before.errors,
    maxInflightBlobGets: after.maxInflightBlobGets,
    other: after.other.slice(before.other.length),
  };
}

/** Waits until no request is in flight at the pass-through (a proxy's background fill has finished). */
export async function waitIdle(pt: Passthrough, { timeoutMs = 60_000, settleMs = 300 }: { timeoutMs?: number; settleMs?: number } = {}): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const c = await pt.counts();
    if (c.inflight === 0) {
      await new Promise((r) => setTimeout(r, settleMs));
      if ((await pt.counts()).inflight === 0) return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

if (require.main === module) {
  const [port, upstream, ...rest] = process.argv.slice(2);
  if (!port || !upstream) {
    console.error('usage: node dist/lib/passthrough.ts <listen port> <upstream base URL> [--tls <cert> <key>] [--redirect-blobs-to <base URL>]');
    process.exit(2);
  }
  const tlsAt = rest.indexOf('--tls');
  const redirectAt = rest.indexOf('--redirect-blobs-to');
  process.on('SIGTERM', () => process.exit(0));
  serve(Number(port), upstream, {
    tls: tlsAt >= 0 ? { cert: rest[tlsAt + 1] ?? '', key: rest[tlsAt + 2] ?? '' } : null,
    redirectBlobsTo: redirectAt >= 0 ? (rest[redirectAt + 1] ?? null) : null,
  });
}
