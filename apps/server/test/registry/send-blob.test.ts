import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, type IncomingMessage, type Server, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FileBlobStore, zeroCopyAvailable, zeroCopyTransfers } from '@wharf/blobstore';
import type { BlobHandle } from '@wharf/registry-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/support/wait';
import { sendBlob } from '../../src/distribution/send-blob';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** sendBlob as the blob GET handler uses it: headers with Content-Length, then the body, over real HTTP. */
describe('sending a stored blob as an HTTP response body', () => {
  let root: string;
  let store: FileBlobStore;
  let server: Server;
  let port: number;
  const content = randomBytes(24 * MiB);
  const digest = sha256(content);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wharf-send-blob-'));
    store = new FileBlobStore({ root });
    await store.init();
    await store.write(Readable.from([content]), { digest });
    server = createServer((req, res) => {
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      const range = m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
      void store.read(digest, range).then(async (read) => {
        // With `x-copy: 1` the handle has no sendToSocket (as a proxy fill's handle): the bytes are copied.
        const handle: BlobHandle = {
          digest,
          size: read!.size,
          get stream() {
            return read!.stream;
          },
          sendTo: (d) => read!.sendTo(d),
          ...(req.headers['x-copy'] ? {} : { sendToSocket: read!.sendToSocket! }),
        };
        res.writeHead(range ? 206 : 200, { 'Content-Length': read!.end - read!.start + 1 });
        await sendBlob(res, handle);
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

  it.runIf(process.platform === 'linux')('uses sendfile(2): whole blobs and ranges byte for byte, the connection stays usable (keep-alive)', async () => {
    expect(zeroCopyAvailable()).toBe(true);
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
    // The count moves when the send settles on the server, which may come just after the client has every byte.
    await waitFor('three sends to settle', () => zeroCopyTransfers() - before >= 3, { timeoutMs: 5_000 });
    expect(zeroCopyTransfers() - before).toBe(3);
  });

  it('copies the bytes when the handle cannot send to a socket, on the same keep-alive connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = zeroCopyTransfers();
    const copied = await get(agent, { 'x-copy': '1' });
    const zero = await get(agent);
    agent.destroy();
    expect(sha256(copied.body)).toBe(digest);
    expect(sha256(zero.body)).toBe(digest);
    expect(zero.socket).toBe(copied.socket);
    const expected = zeroCopyAvailable() ? 1 : 0;
    await waitFor('the send to settle', () => zeroCopyTransfers() - before >= expected, { timeoutMs: 5_000 });
    expect(zeroCopyTransfers() - before).toBe(expected);
  });
});
