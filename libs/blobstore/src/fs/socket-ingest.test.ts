import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SocketBody, Spool } from '../blob-store';
import { FileBlobStore } from './file-blob-store';
import { socketIngestAvailable, socketIngests } from './socket-ingest';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const fdOf = (socket: Socket) => (socket as unknown as { _handle: { fd: number } })._handle.fd;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How the sending side of one test connection behaves. */
interface Script {
  /** Sent at once; the receiver waits for all of it (it becomes the body's `head`). */
  first: Buffer;
  /** Sent after `pauseMs`; then the sender ends the connection (or stalls, with `stall`). */
  rest: Buffer;
  pauseMs?: number;
  stall?: boolean;
}

/**
 * A SocketBody on a real TCP connection from a local server that follows a script. Its `takeSocket` does what
 * the upstream transport does: hands over the bytes already read and a dup()ed descriptor, then destroys Node's socket.
 */
describe.runIf(process.platform === 'linux')('FileBlobStore.write(SocketBody): receiving a socket off the JavaScript thread', () => {
  let root: string;
  let store: FileBlobStore;
  let server: Server;
  const scripts: Script[] = [];
  const open: Socket[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wharf-socket-ingest-'));
    store = new FileBlobStore({ root });
    await store.init();
    server = createServer((socket) => {
      open.push(socket);
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
    for (const s of open.splice(0)) s.destroy();
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await rm(root, { recursive: true, force: true });
  });

  async function body(script: Script, length = script.first.length + script.rest.length, idleTimeoutMs = 10_000) {
    scripts.push(script);
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const head: Buffer[] = [];
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
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
    // Node may have read more into the paused socket's buffer: that belongs to the head too, in order.
    const buffered = () => [...((socket as unknown as { readableBuffer: Iterable<Buffer> }).readableBuffer ?? [])];
    let streamed = false;
    const source: SocketBody & { streamed(): boolean } = {
      length,
      idleTimeoutMs,
      stream: () => {
        streamed = true;
        socket.unshift(Buffer.concat(head));
        return socket;
      },
      takeSocket: (dup) => {
        const all = Buffer.concat([...head, ...buffered()]);
        const fd = dup(fdOf(socket));
        socket.destroy();
        return { fd, head: all };
      },
      streamed: () => streamed,
    };
    return source;
  }

  async function tmpFiles(): Promise<string[]> {
    return readdir(join(root, 'tmp'));
  }

  /** Follows a spool with sendToSocket into a fresh TCP connection; resolves with what the other end received and how the send ended. */
  async function follow(spool: Spool, count: number): Promise<{ bytes: Buffer; outcome: string }> {
    const reader = await spool.open();
    expect(reader?.sendToSocket).toBeTypeOf('function');
    const sink = createServer();
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const received = new Promise<Buffer>((resolve) =>
      sink.once('connection', (s: Socket) => {
        const chunks: Buffer[] = [];
        s.on('data', (c: Buffer) => chunks.push(c));
        s.on('error', () => undefined);
        s.on('close', () => resolve(Buffer.concat(chunks)));
      }),
    );
    const out = connect((sink.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((r) => out.once('connect', r));
    let outcome: string;
    try {
      outcome = (await reader!.sendToSocket!(fdOf(out), 0, count)) ? 'sent' : 'declined';
    } catch (err) {
      outcome = `failed: ${(err as { code?: string }).code}`;
    }
    out.destroy();
    await reader!.close();
    const bytes = await received;
    sink.close();
    return { bytes, outcome };
  }

  it('is available here (the addon is built)', () => {
    expect(socketIngestAvailable()).toBe(true);
  });

  it('stores the head and the rest of the socket, verified, without reading it in JavaScript', async () => {
    const content = randomBytes(12 * MiB + 5);
    const source = await body({ first: content.subarray(0, 100_000), rest: content.subarray(100_000), pauseMs: 50 });
    const before = socketIngests();
    const progress: number[] = [];
    const info = await store.write(source, { digest: sha256(content), size: content.length }, { onProgress: (b) => progress.push(b) });
    expect(info).toEqual({ digest: sha256(content), size: content.length });
    expect(socketIngests() - before).toBe(1);
    expect(source.streamed()).toBe(false);
    expect(progress.at(-1)).toBe(content.length);
    const read = await store.read(info.digest);
    const chunks: Buffer[] = [];
    for await (const c of read!.stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    expect(await tmpFiles()).toEqual([]);
  });

  it('lets a follower send the file while it grows: every byte, in order', async () => {
    const content = randomBytes(8 * MiB);
    const source = await body({ first: content.subarray(0, 4096), rest: content.subarray(4096), pauseMs: 300 });
    let followed: Promise<{ bytes: Buffer; outcome: string }> | undefined;
    const written = store.write(source, { digest: sha256(content) }, { onSpool: (spool) => void (followed = follow(spool, content.length)) });
    await written;
    const { bytes, outcome } = await followed!;
    expect(outcome).toBe('sent');
    expect(bytes.equals(content)).toBe(true);
  });

  it('a corrupt body: DIGEST_INVALID, nothing stored, and a follower never gets the last byte', async () => {
    const content = randomBytes(4 * MiB);
    const claimed = sha256(randomBytes(16));
    const source = await body({ first: content.subarray(0, 1000), rest: content.subarray(1000), pauseMs: 100 });
    let followed: Promise<{ bytes: Buffer; outcome: string }> | undefined;
    const written = store.write(source, { digest: claimed }, { onSpool: (spool) => void (followed = follow(spool, content.length)) });
    await expect(written).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    const { bytes, outcome } = await followed!;
    expect(outcome).toBe('failed: ESOURCE');
    expect(bytes.length).toBeLessThan(content.length);
    expect(await store.stat(claimed)).toBeNull();
    expect(await tmpFiles()).toEqual([]);
  });

  it('a connection that ends early fails the write (EOF) and stores nothing', async () => {
    const content = randomBytes(2 * MiB);
    const source = await body({ first: content.subarray(0, 1000), rest: content.subarray(1000, MiB) }, content.length);
    await expect(store.write(source, { digest: sha256(content) })).rejects.toMatchObject({
      code: 'EOF',
      message: expect.stringContaining(`after ${MiB} of ${content.length} bytes`),
    });
    expect(await store.stat(sha256(content))).toBeNull();
    expect(await tmpFiles()).toEqual([]);
  });

  it('a connection that stalls fails the write after the idle timeout (ETIMEDOUT)', async () => {
    const content = randomBytes(2 * MiB);
    const source = await body({ first: content.subarray(0, 1000), rest: content.subarray(1000, MiB), stall: true }, content.length, 300);
    const started = Date.now();
    await expect(store.write(source, { digest: sha256(content) })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await tmpFiles()).toEqual([]);
  });

  it('a declared size other than the body length: read as a stream, and SIZE_INVALID', async () => {
    const content = randomBytes(MiB);
    const source = await body({ first: content.subarray(0, 1000), rest: content.subarray(1000) });
    await expect(store.write(source, { digest: sha256(content), size: content.length + 1 })).rejects.toMatchObject({ code: 'SIZE_INVALID' });
    expect(source.streamed()).toBe(true);
  });

  it('a body that cannot give its socket is read as a stream', async () => {
    const content = randomBytes(MiB);
    const source = await body({ first: content.subarray(0, 1000), rest: content.subarray(1000) });
    const before = socketIngests();
    const info = await store.write({ ...source, takeSocket: () => null, stream: source.stream }, { digest: sha256(content) });
    expect(info.digest).toBe(sha256(content));
    expect(source.streamed()).toBe(true);
    expect(socketIngests()).toBe(before);
    await sleep(0);
  });

  it('a plain stream still works as before', async () => {
    const content = randomBytes(3 * MiB);
    const info = await store.write(Readable.from([content]), { digest: sha256(content) });
    expect(info.size).toBe(content.length);
  });
});
