import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dupFd, ingestSocket, socketIngests } from './socket-ingest';

const MiB = 1024 * 1024;
const hex = (b: Buffer, algorithm = 'sha256') => createHash(algorithm).update(b).digest('hex');
const fdOf = (socket: Socket) => (socket as unknown as { _handle: { fd: number } })._handle.fd;

/** How the sending side of one test connection behaves: `first` at once, `rest` after `pauseMs`, then end (or stall). */
interface Script {
  first: Buffer;
  rest: Buffer;
  pauseMs?: number;
  stall?: boolean;
}

describe.runIf(process.platform === 'linux')('ingestSocket: a body received off the JavaScript thread', () => {
  let dir: string;
  let server: Server;
  const scripts: Script[] = [];
  const open_: Socket[] = [];
  let n = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wharf-ingest-'));
    server = createServer((socket) => {
      open_.push(socket);
      socket.on('error', () => undefined);
      const script = scripts.shift()!;
      socket.write(script.first);
      setTimeout(() => {
        socket.write(script.rest);
        if (!script.stall) socket.end();
      }, script.pauseMs ?? 0);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });

  afterEach(() => {
    for (const s of open_.splice(0)) s.destroy();
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Connects, reads `first` in JavaScript (the head, as the HTTP parser would have), then hands the connection
   * over as the upstream transport does: the bytes read so far plus a dup()ed descriptor; Node's socket is destroyed.
   */
  async function ingest(script: Script, total: number, options: { algorithm?: 'sha256' | 'sha512'; idleTimeoutMs?: number } = {}) {
    scripts.push(script);
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const head: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      let received = 0;
      const onData = (c: Buffer) => {
        head.push(c);
        received += c.length;
        if (received >= script.first.length) {
          socket.off('data', onData);
          socket.pause();
          resolve();
        }
      };
      socket.on('data', onData);
    });
    const buffered = [...((socket as unknown as { readableBuffer: Iterable<Buffer> }).readableBuffer ?? [])];
    const fd = dupFd(fdOf(socket))!;
    socket.destroy();
    const file = join(dir, `body-${++n}`);
    const handle = await open(file, 'w');
    const progress: number[] = [];
    try {
      const digest = await ingestSocket(fd, handle.fd, Buffer.concat([...head, ...buffered]), total, {
        algorithm: options.algorithm ?? 'sha256',
        idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
        onProgress: (b) => progress.push(b),
      })!;
      return { digest, bytes: await readFile(file), progress };
    } finally {
      await handle.close();
    }
  }

  it('writes the head and the rest of the connection into the file and digests them (sha256, sha512)', async () => {
    const content = randomBytes(12 * MiB + 5);
    const before = socketIngests();
    const got = await ingest({ first: content.subarray(0, 100_000), rest: content.subarray(100_000), pauseMs: 50 }, content.length);
    expect(got.digest).toBe(hex(content));
    expect(got.bytes.equals(content)).toBe(true);
    expect(got.progress.at(-1)).toBeLessThanOrEqual(content.length);
    expect(socketIngests() - before).toBe(1);
    const small = randomBytes(MiB);
    const sha512 = await ingest({ first: small.subarray(0, 10), rest: small.subarray(10) }, small.length, { algorithm: 'sha512' });
    expect(sha512.digest).toBe(hex(small, 'sha512'));
  });

  it('a connection that ends early fails with EOF, saying how far it got', async () => {
    const content = randomBytes(2 * MiB);
    await expect(ingest({ first: content.subarray(0, 1000), rest: content.subarray(1000, MiB) }, content.length)).rejects.toMatchObject({
      code: 'EOF',
      message: expect.stringContaining(`after ${MiB} of ${content.length} bytes`),
    });
  });

  it('a connection that stalls fails after the idle timeout (ETIMEDOUT)', async () => {
    const content = randomBytes(2 * MiB);
    const started = Date.now();
    await expect(
      ingest({ first: content.subarray(0, 1000), rest: content.subarray(1000, MiB), stall: true }, content.length, { idleTimeoutMs: 300 }),
    ).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
