// A plain TCP forwarder (socat) in front of the upstream: a "proxy" that stores, hashes and parses
// nothing. Pulling through it shows what one extra hop costs on this machine, the floor under any proxy.
import * as path from 'node:path';
import { startProcess, stopProcess } from './proc';
import { freePort } from './ports';
import { ensureTool } from './apt';
import { sleep } from './measure';
import { request } from './http';
import type { BenchContext } from './context';

export interface Forwarder {
  baseUrl: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** Starts socat on a free port forwarding to `upstreamUrl`'s port; null when socat is not available. */
export async function startForwarder(ctx: BenchContext, upstreamUrl: string): Promise<Forwarder | null> {
  const socat = await ensureTool('socat', 'socat', 'the TCP forwarder reference is');
  if (!socat.bin) return null;
  const port = await freePort();
  const upstream = new URL(upstreamUrl);
  const logFile = path.join(ctx.logDir, 'forwarder.log');
  // 1 MiB buffers, a process per connection (fork), as a minimal forwarder would.
  const child = startProcess('forwarder', socat.bin, ['-b', '1048576', `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `TCP:127.0.0.1:${upstream.port}`], { logFile });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await request(`${baseUrl}/v2/`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (i === 50) throw new Error(`the TCP forwarder (socat) did not answer on ${baseUrl} (log: ${logFile})`);
    await sleep(100);
  }
  return { baseUrl, pid: child.pid, logFile, stop: () => stopProcess(child, 5000) };
}
