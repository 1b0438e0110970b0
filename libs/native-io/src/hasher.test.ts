import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dupFd, nativeIoAvailable } from './addon';
import { NativeConnection } from './connection';
import { Hasher } from './hasher';

const MiB = 1024 * 1024;
const hex = (b: Buffer, algorithm = 'sha256') => createHash(algorithm).update(b).digest('hex');
const fdOf = (socket: Socket) => (socket as unknown as { _handle: { fd: number } })._handle.fd;

describe.runIf(nativeIoAvailable())('Hasher: a running hash the addon keeps', () => {
  it('hashes what it is given, piece by piece, and goes on after a digest (sha256, sha512)', () => {
    for (const algorithm of ['sha256', 'sha512'] as const) {
      const data = randomBytes(3 * MiB + 11);
      const hasher = Hasher.create(algorithm)!;
      hasher.update(data.subarray(0, 10));
      expect(hasher.hex()).toBe(hex(data.subarray(0, 10), algorithm));
      hasher.update(data.subarray(10, MiB));
      hasher.update(data.subarray(MiB));
      expect(hasher.hex()).toBe(hex(data, algorithm));
      expect(hasher.hex()).toBe(hex(data, algorithm));
    }
  });
});

/**
 * The server side of an upload: bodies the addon reads off a connection whose request head Node's parser took,
 * written at an offset of the upload's file and added to its running hash; what follows the body is handed back.
 */
describe.runIf(nativeIoAvailable())('NativeConnection.receive into an upload', () => {
  let dir: string;
  let server: Server;
  /** What the next connection's peer writes, in pieces. */
  let script: Buffer[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wharf-hasher-'));
    server = createServer((socket) => {
      socket.on('error', () => undefined);
      const pieces = script;
      void (async () => {
        for (const piece of pieces) {
          socket.write(piece);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  /** A connection whose peer writes `pieces`; `head` stands for bytes Node already read. */
  async function connection(pieces: Buffer[], head = Buffer.alloc(0)): Promise<NativeConnection> {
    script = pieces;
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const fd = dupFd(fdOf(socket))!;
    socket.destroy();
    return NativeConnection.open(fd, { host: '', head })!;
  }

  it('appends two bodies (length, then chunked) at their offsets, continuing one hash, and hands back what follows', async () => {
    const data = randomBytes(5 * MiB + 3);
    const [a, b] = [data.subarray(0, 2 * MiB + 1), data.subarray(2 * MiB + 1)];
    const file = join(dir, 'upload');
    const handle = await open(file, 'w+');
    const hasher = Hasher.create('sha256')!;
    const options = { algorithm: 'sha256' as const, maxBytes: null, idleMs: 10_000, onProgress: () => undefined, hasher };
    try {
      const first = await connection([a.subarray(100), Buffer.from('NEXT')], a.subarray(0, 100));
      first.beginBody({ kind: 'length', length: a.length });
      expect(await first.receive(handle.fd, { ...options, position: 0 })).toEqual({ bytes: a.length, hex: hex(a) });
      first.close();

      const half = Math.floor(b.length / 2);
      const chunks = Buffer.concat([
        Buffer.from(`${half.toString(16)}\r\n`),
        b.subarray(0, half),
        Buffer.from(`\r\n${(b.length - half).toString(16)};ext=1\r\n`),
        b.subarray(half),
        Buffer.from('\r\n0\r\n\r\nGET /next HTTP/1.1\r\n\r\n'),
      ]);
      const second = await connection([chunks.subarray(0, 1000), chunks.subarray(1000)]);
      second.beginBody({ kind: 'chunked' });
      expect(await second.receive(handle.fd, { ...options, position: a.length })).toEqual({ bytes: b.length, hex: hex(data) });
      // What came after the body (the next request), for Node's parser; then nothing more.
      expect(second.takeBuffered().toString()).toBe('GET /next HTTP/1.1\r\n\r\n');
      expect(second.takeBuffered().length).toBe(0);
      second.close();
    } finally {
      await handle.close();
    }
    expect((await readFile(file)).equals(data)).toBe(true);
    expect(hasher.hex()).toBe(hex(data));
  });

  it('refuses a hasher of another algorithm', async () => {
    const conn = await connection([Buffer.from('x')]);
    conn.beginBody({ kind: 'length', length: 1 });
    const handle = await open(join(dir, 'other'), 'w');
    try {
      expect(() =>
        conn.receive(handle.fd, { algorithm: 'sha512', maxBytes: null, idleMs: 1000, onProgress: () => undefined, hasher: Hasher.create('sha256')! }),
      ).toThrow(/algorithm/);
    } finally {
      conn.close();
      await handle.close();
    }
  });
});
