// Blob download load: wrk when available (blobLoad), else node:http clients (repeatGet):
// `connections` clients GET the same URL back to back for `durationS`, discarding the bytes.
import * as http from 'node:http';
import { runWrk, type WrkResult } from './wrk';
import type { WrkInfo } from './context';

export interface RepeatGetRun {
  command: string;
  requests: number;
  bytesRead: number;
  durationS: number;
  errors: number;
}

export async function repeatGet({
  url,
  headers = {},
  connections,
  durationS,
}: {
  url: string;
  headers?: http.OutgoingHttpHeaders;
  connections: number;
  durationS: number;
}): Promise<RepeatGetRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const u = new URL(url);
  const deadline = Date.now() + durationS * 1000;
  let bytes = 0;
  let requests = 0;
  let errors = 0;
  const t0 = process.hrtime.bigint();
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.get({ host: u.hostname, port: u.port, path: u.pathname, headers, agent }, (res) => {
        if (res.statusCode !== 200) errors++;
        res.on('data', (c) => {
          bytes += c.length;
          if (Date.now() > deadline) req.destroy();
        });
        res.on('end', () => {
          requests++;
          resolve();
        });
        res.on('error', () => resolve());
        res.on('close', () => resolve());
      });
      req.on('error', () => resolve());
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return { command: `node http: ${connections} clients x GET ${url} for ${durationS}s`, requests, bytesRead: bytes, durationS: elapsed, errors };
}

/** A blob download run, by wrk or by repeatGet: bytes, blobs completed, errors of any kind (non-2xx, socket, timeout). */
export interface BlobLoad {
  command: string;
  requests: number;
  bytesRead: number;
  durationS: number;
  errors: number;
}

/** `connections` clients GET `url` back to back for `durationS`: wrk (plain GET, -t min(c,2)) or, without it, node:http clients. */
export async function blobLoad(
  wrk: WrkInfo | null,
  { url, headers, connections, durationS }: { url: string; headers: Record<string, string>; connections: number; durationS: number },
): Promise<BlobLoad> {
  if (!wrk) return repeatGet({ url, headers, connections, durationS });
  const run = await runWrk(wrk.bin, { threads: Math.min(connections, 2), connections, durationS, timeoutS: 30, latency: false, headers, url });
  return {
    command: run.command,
    requests: run.requests ?? NaN,
    bytesRead: run.bytesRead ?? NaN,
    durationS: run.durationS ?? NaN,
    errors: wrkErrors(run),
  };
}

/** Every failure wrk counted: non-2xx/3xx answers and socket errors (connect, read, write, timeout). */
export function wrkErrors(run: WrkResult): number {
  return run.non2xx3xx + Object.values(run.socketErrors).reduce((a, b) => a + b, 0);
}
