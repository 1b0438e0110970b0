import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ByteRange } from '../blob-store';
import { FileBlobStore } from './file-blob-store';
import { zeroCopyAvailable, zeroCopyTransfers } from './zero-copy';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const fdOf = (socket: Socket) => (socket as unknown as { _handle: { fd: number } })._handle.fd;

describe.runIf(process.platform === 'linux')('BlobRead.sendToSocket (sendfile(2))', () => {
  let root: string;
  let store: FileBlobStore;
  let server: Server;
  let port: number;
  const content = randomBytes(24 * MiB);
  const digest = sha256(content);
  /** Larger than the loopback socket buffers (tcp_rmem allows 32 MiB), so a client that stops reading stalls sendfile. */
  let bigDigest = '';
  /** What each connection asks for (its first line: "<which> <start> <end>") and how its send ended. */
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
    // A connection says which blob and range it wants in one line; the store sends those bytes and closes.
    server = createServer((socket) => {
      // A client hanging up resets the connection; the send's own outcome is what the tests look at.
      socket.on('error', () => undefined);
      socket.once('data', (line: Buffer) => {
        const [which, start, end] = line.toString().trim().split(' ');
        const range: ByteRange | undefined = start ? { start: Number(start), end: Number(end) } : undefined;
        void store.read(which === 'big' ? bigDigest : digest, range).then(async (read) => {
          try {
            const sent = await read!.sendToSocket!(fdOf(socket));
            outcomes.push(sent ? 'sent' : 'declined');
            socket.end();
          } catch (err) {
            outcomes.push(`failed: ${(err as { code?: string }).code}: ${(err as Error).message}`);
            socket.destroy();
          }
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await rm(root, { recursive: true, force: true });
  });

  function fetchBytes(ask: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`${ask}\n`));
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
  }

  it('is built and loaded here (scripts/build-native.js)', () => {
    expect(zeroCopyAvailable()).toBe(true);
  });

  it('sends whole blobs and ranges byte for byte', async () => {
    outcomes.length = 0;
    const before = zeroCopyTransfers();
    const whole = await fetchBytes('small');
    const part = await fetchBytes(`small ${5 * MiB + 3} ${9 * MiB}`);
    expect(sha256(whole)).toBe(digest);
    expect(part.equals(content.subarray(5 * MiB + 3, 9 * MiB + 1))).toBe(true);
    expect(outcomes).toEqual(['sent', 'sent']);
    expect(zeroCopyTransfers() - before).toBe(2);
  });

  it('gives up at once, with an error, when the client goes away in the middle', async () => {
    outcomes.length = 0;
    await new Promise<void>((resolve, reject) => {
      // The client reads nothing (the socket buffers fill, sendfile waits), then hangs up.
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('big\n');
        socket.pause();
        setTimeout(() => socket.destroy(), 300);
      });
      socket.on('close', () => resolve());
      setTimeout(() => reject(new Error('the connection did not end')), 10_000);
    });
    const deadline = Date.now() + 10_000;
    while (outcomes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(outcomes).toHaveLength(1);
    // Named as Node names a client that went away (the server then does not log it as an error).
    expect(outcomes[0]).toMatch(/^failed: (EPIPE|ECONNRESET): /);
  });
});
