import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCa } from '../../../test/support/tls';
import { dupFd, nativeIoAvailable } from './addon';
import { type BodyFraming, NativeConnection, TlsTrust } from './connection';

const MiB = 1024 * 1024;
const hex = (b: Buffer, algorithm = 'sha256') => createHash(algorithm).update(b).digest('hex');
const fdOf = (socket: Socket) => (socket as unknown as { _handle: { fd: number } })._handle.fd;
const TIMEOUTS = { idleMs: 10_000, handshakeMs: 10_000 };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A TCP connection made by Node, handed to the addon as the upstream client does. */
async function handOver(port: number, options: { tls?: TlsTrust; host?: string } = {}): Promise<NativeConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const fd = dupFd(fdOf(socket))!;
  socket.destroy();
  return NativeConnection.open(fd, { host: options.host ?? '127.0.0.1', ...(options.tls ? { tls: options.tls } : {}) })!;
}

/** The status and headers of a head (enough for these tests; registry-core has the real parser). */
function parse(head: Buffer): { status: number; headers: Record<string, string> } {
  const [statusLine, ...lines] = head.toString('latin1').trimEnd().split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers };
}

function framingOf(headers: Record<string, string>): BodyFraming {
  if (headers['transfer-encoding'] === 'chunked') return { kind: 'chunked' };
  if (headers['content-length'] !== undefined) return { kind: 'length', length: Number(headers['content-length']) };
  return { kind: 'until-close' };
}

const get = (path: string, extra = '') => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`);

describe.runIf(nativeIoAvailable())('NativeConnection: the addon as an HTTP/1.1 client', () => {
  let dir: string;
  let ca: TestCa;
  let trust: TlsTrust;
  const routes = new Map<string, Handler>();
  let plain: Server;
  let secure: Server;
  const content = randomBytes(9 * MiB + 7);

  const serve: Handler = (req, res) => {
    const handler = routes.get(req.url ?? '');
    if (handler) handler(req, res);
    else res.writeHead(404, { 'content-length': 9 }).end('not found');
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wharf-conn-'));
    ca = TestCa.create();
    const cert = ca.issue(['localhost', '127.0.0.1']);
    trust = TlsTrust.create(ca.cert);
    plain = createHttpServer(serve);
    secure = createHttpsServer({ cert: cert.cert, key: cert.key }, serve);
    for (const server of [plain, secure]) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    routes.set('/length', (_req, res) => {
      res.writeHead(200, { 'content-length': content.length });
      // In pieces, with pauses: the body arrives over time.
      void (async () => {
        for (let at = 0; at < content.length; at += 3 * MiB) {
          res.write(content.subarray(at, at + 3 * MiB));
          await new Promise((r) => setTimeout(r, 20));
        }
        res.end();
      })();
    });
    routes.set('/chunked', (_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let at = 0; at < content.length; at += 777_777) res.write(content.subarray(at, at + 777_777));
      res.end();
    });
    routes.set('/until-close', (_req, res) => {
      res.writeHead(200, { connection: 'close' });
      res.end(content);
    });
    routes.set('/short', (req, res) => {
      res.writeHead(200, { 'content-length': content.length });
      res.write(content.subarray(0, MiB), () => req.socket.destroy());
    });
    routes.set('/stall', (_req, res) => {
      res.writeHead(200, { 'content-length': content.length });
      res.write(content.subarray(0, MiB));
    });
    routes.set('/redirect', (_req, res) => res.writeHead(307, { location: '/length', 'content-length': 0 }).end());
  });

  afterAll(async () => {
    for (const server of [plain, secure]) {
      server?.closeAllConnections();
      await new Promise((r) => server?.close(r));
    }
    ca?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const port = (server: Server) => (server.address() as AddressInfo).port;
  let files = 0;

  /** Receives the body of the response just read into a new file; resolves with the result and the file's bytes. */
  async function receive(conn: NativeConnection, framing: BodyFraming, options: { maxBytes?: number; idleMs?: number; algorithm?: 'sha256' | 'sha512' } = {}) {
    const path = join(dir, `body-${++files}`);
    const file = await open(path, 'w');
    const progress: number[] = [];
    try {
      conn.beginBody(framing);
      const result = await conn.receive(file.fd, {
        algorithm: options.algorithm ?? 'sha256',
        maxBytes: options.maxBytes ?? null,
        idleMs: options.idleMs ?? 10_000,
        onProgress: (b) => progress.push(b),
      });
      return { ...result, bytes: result.bytes, file: await readFile(path), progress };
    } finally {
      await file.close();
    }
  }

  for (const scheme of ['http', 'https'] as const) {
    const connectTo = () => (scheme === 'https' ? handOver(port(secure), { tls: trust, host: 'localhost' }) : handOver(port(plain)));

    it(`${scheme}: a body with a Content-Length, received into a file and hashed (sha256, sha512), then the next request on the same connection`, async () => {
      const conn = await connectTo();
      try {
        const first = parse(await conn.exchange(get('/length'), TIMEOUTS));
        expect(first.status).toBe(200);
        const got = await receive(conn, framingOf(first.headers));
        expect(got.bytes).toBe(content.length);
        expect(got.hex).toBe(hex(content));
        expect(got.file.equals(content)).toBe(true);
        expect(got.progress.length).toBeGreaterThan(1);
        expect(conn.buffered()).toBe(0);
        // Keep-alive: the same connection carries the next exchange.
        const second = parse(await conn.exchange(get('/length'), TIMEOUTS));
        expect((await receive(conn, framingOf(second.headers), { algorithm: 'sha512' })).hex).toBe(hex(content, 'sha512'));
      } finally {
        conn.close();
      }
    });

    it(`${scheme}: a chunked body, and a body that ends with the connection`, async () => {
      const conn = await connectTo();
      const chunked = parse(await conn.exchange(get('/chunked'), TIMEOUTS));
      expect(framingOf(chunked.headers)).toEqual({ kind: 'chunked' });
      expect((await receive(conn, { kind: 'chunked' })).hex).toBe(hex(content));
      const untilClose = parse(await conn.exchange(get('/until-close'), TIMEOUTS));
      const got = await receive(conn, framingOf(untilClose.headers));
      expect([got.bytes, got.hex]).toEqual([content.length, hex(content)]);
      conn.close();
    });

    it(`${scheme}: a small body read whole (a redirect), a body over the limit (ETOOBIG)`, async () => {
      const conn = await connectTo();
      const redirect = parse(await conn.exchange(get('/redirect'), TIMEOUTS));
      expect([redirect.status, redirect.headers.location]).toEqual([307, '/length']);
      conn.beginBody(framingOf(redirect.headers));
      expect((await conn.read(64 * 1024, 10_000)).length).toBe(0);
      const missing = parse(await conn.exchange(get('/nothing'), TIMEOUTS));
      conn.beginBody(framingOf(missing.headers));
      expect((await conn.read(64 * 1024, 10_000)).toString()).toBe('not found');
      const big = parse(await conn.exchange(get('/length'), TIMEOUTS));
      await expect(receive(conn, framingOf(big.headers), { maxBytes: MiB })).rejects.toMatchObject({ code: 'ETOOBIG' });
      conn.close();
    });

    it(`${scheme}: a connection that ends early fails with EOF, one that stalls with ETIMEDOUT`, async () => {
      const short = await connectTo();
      const head = parse(await short.exchange(get('/short'), TIMEOUTS));
      await expect(receive(short, framingOf(head.headers))).rejects.toMatchObject({ code: 'EOF', message: expect.stringContaining(`of ${content.length} bytes`) });
      short.close();
      const stalled = await connectTo();
      const stalledHead = parse(await stalled.exchange(get('/stall'), TIMEOUTS));
      const started = Date.now();
      await expect(receive(stalled, framingOf(stalledHead.headers), { idleMs: 300 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      stalled.close();
    });

    it(`${scheme}: closing the connection aborts the operation under way (ECONNABORTED)`, async () => {
      const conn = await connectTo();
      const head = parse(await conn.exchange(get('/stall'), TIMEOUTS));
      const receiving = receive(conn, framingOf(head.headers));
      await new Promise((r) => setTimeout(r, 100));
      conn.close();
      await expect(receiving).rejects.toMatchObject({ code: 'ECONNABORTED' });
    });
  }

  it('https: a certificate from an untrusted CA, or for another name, fails the handshake with a TLS code', async () => {
    const other = TestCa.create();
    try {
      const stranger = await handOver(port(secure), { tls: TlsTrust.create(other.cert), host: 'localhost' });
      await expect(stranger.exchange(get('/length'), TIMEOUTS)).rejects.toMatchObject({ code: expect.stringMatching(/^(UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|CERT_)/) });
      stranger.close();
      const misnamed = await handOver(port(secure), { tls: trust, host: 'registry.example.com' });
      await expect(misnamed.exchange(get('/length'), TIMEOUTS)).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      misnamed.close();
    } finally {
      other.dispose();
    }
  });

  it('plain: takes over a socket with bytes already read (the head), as a server receiving a push would', async () => {
    const conn = await handOver(port(plain));
    // Play both roles: the "head" given at open comes first, then the socket.
    conn.close();
    const socket = connect(port(plain), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(get('/length'));
    const firstBytes = await new Promise<Buffer>((r) => socket.once('data', r));
    socket.pause();
    const fd = dupFd(fdOf(socket))!;
    socket.destroy();
    const taken = NativeConnection.open(fd, { host: '127.0.0.1', head: firstBytes })!;
    const head = parse(await taken.exchange(Buffer.alloc(0), TIMEOUTS));
    const got = await receive(taken, framingOf(head.headers));
    expect(got.hex).toBe(hex(content));
    taken.close();
  });
});
