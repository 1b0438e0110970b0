import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type IncomingMessage, type Server, Agent, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ByteRange } from '../blob-store';
import { FileBlobStore } from './file-blob-store';
import { zeroCopyAvailable, zeroCopyTransfers } from './zero-copy';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe.runIf(process.platform === 'linux')('downloads with sendfile(2)', () => {
  let root: string;
  let store: FileBlobStore;
  let server: Server;
  let port: number;
  const content = randomBytes(24 * MiB);
  const digest = sha256(content);
  /** Larger than the loopback socket buffers (tcp_rmem allows 32 MiB), so a client that stops reading stalls sendfile. */
  let bigDigest = '';
  /** How each response's sendTo ended (resolved, or the error), in order. */
  const outcomes: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wharf-zero-copy-'));
    store = new FileBlobStore({ root });
    await store.init();
    await store.write(Readable.from([content]), { digest });
    const hash = createHash('sha256');
    const chunks = function* () {
      for (let i = 0; i < 128; i++) {
        const chunk = randomBytes(MiB);
        hash.update(chunk);
        yield chunk;
      }
    };
    bigDigest = (await store.write(Readable.from(chunks()))).digest;
    expect(bigDigest).toBe(`sha256:${hash.digest('hex')}`);
    // What the registry does: headers with Content-Length, then the blob's fastest send.
    server = createServer((req, res) => {
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      const range: ByteRange | undefined = m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
      void store.read(req.url === '/big' ? bigDigest : digest, range).then(async (read) => {
        res.writeHead(range ? 206 : 200, { 'Content-Length': read!.end - read!.start + 1 });
        try {
          await read!.sendTo(res);
          outcomes.push('sent');
        } catch (err) {
          outcomes.push(`failed: ${(err as Error).message}`);
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await rm(root, { recursive: true, force: true });
  });

  function get(agent: Agent, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; socket: Socket }> {
    return new Promise((resolve, reject) => {
      request({ port, host: '127.0.0.1', agent, headers }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), socket: res.socket }));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
  }

  it('is built and loaded here (scripts/build-native.js)', () => {
    expect(zeroCopyAvailable()).toBe(true);
  });

  it('sends whole blobs and ranges byte for byte, and the connection stays usable (keep-alive)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = zeroCopyTransfers();
    const whole = await get(agent);
    const part = await get(agent, { Range: `bytes=${5 * MiB + 3}-${9 * MiB}` });
    const again = await get(agent);
    agent.destroy();
    expect(whole.status).toBe(200);
    expect(sha256(whole.body)).toBe(digest);
    expect(part.status).toBe(206);
    expect(part.body.equals(content.subarray(5 * MiB + 3, 9 * MiB + 1))).toBe(true);
    expect(sha256(again.body)).toBe(digest);
    expect(part.socket).toBe(whole.socket);
    expect(again.socket).toBe(whole.socket);
    expect(zeroCopyTransfers() - before).toBe(3);
  });

  it('gives up at once, with an error, when the client goes away in the middle', async () => {
    outcomes.length = 0;
    await new Promise<void>((resolve, reject) => {
      // The client reads nothing (the socket buffers fill, sendfile waits), then hangs up.
      const req = request({ port, host: '127.0.0.1', path: '/big', agent: false }, (res) => {
        res.pause();
        setTimeout(() => req.destroy(), 300);
        res.on('close', resolve);
      });
      req.on('error', () => undefined);
      req.on('close', resolve);
      req.end();
      setTimeout(() => reject(new Error('the request did not end')), 10_000);
    });
    const deadline = Date.now() + 10_000;
    while (outcomes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatch(/^failed: /);
  });
});
