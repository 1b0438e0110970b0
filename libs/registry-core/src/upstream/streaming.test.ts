/**
 * Transport behaviour of the RegistryClient: blob streaming with backpressure, abandoning a
 * stream, timeouts, connection failures, keep-alive and TLS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBlobStore } from '@wharf/blobstore';
import { nativeIoAvailable, nativeReceives } from '@wharf/native-io';
import { BlobOrigin, TokenServer, UpstreamRegistry, collect, digestStream, errorOf, sha256, upstreamsPerTest } from '@wharf/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../../test/upstream/tls';
import { RegistryClient } from './registry-client';
import type { RegistryClientOptions, UpstreamRequestKind } from './types';

const MiB = 1024 * 1024;
const DIGEST = sha256('any');

const { defer, registry } = upstreamsPerTest();

/** Which client carries blob bodies in the describe.each blocks below. */
let nativeBodies = true;
const TRANSPORTS: [string, boolean][] = [
  ...(nativeIoAvailable() ? [['blob bodies through the native client', true] as [string, boolean]] : []),
  ['blob bodies through Node\'s client', false],
];

function client(remoteUrl: string, opts: Partial<RegistryClientOptions> = {}) {
  const calls: [UpstreamRequestKind, number][] = [];
  const c = new RegistryClient({ remoteUrl, onRequest: (k, s) => calls.push([k, s]), nativeBodies, ...opts });
  defer(() => c.close());
  return { client: c, calls };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Serves `total` pseudo-random bytes in 64 KiB writes, honouring drain; reports progress. */
function pumpingBlob(total: number, opts: { contentLength?: boolean } = {}) {
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) & 0xff;
  const hash = createHash('sha256');
  for (let sent = 0; sent < total; sent += chunk.length) hash.update(chunk.subarray(0, Math.min(chunk.length, total - sent)));
  const state = { written: 0, closedEarly: false, finished: false, digest: `sha256:${hash.digest('hex')}` };
  const serve = (res: ServerResponse) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
    if (opts.contentLength !== false) headers['content-length'] = total;
    res.writeHead(200, headers);
    res.on('close', () => {
      if (!res.writableFinished) state.closedEarly = true;
    });
    const pump = () => {
      while (state.written < total && !res.destroyed) {
        const n = Math.min(chunk.length, total - state.written);
        state.written += n;
        if (!res.write(chunk.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end(() => (state.finished = true));
    };
    pump();
  };
  return { state, serve };
}

// Blob bodies through the native addon's client (the default where it is built) and through Node's.
describe.each(TRANSPORTS)('%s', (_name, native) => {
  beforeAll(() => {
    nativeBodies = native;
  });

  describe('blob streaming', () => {
    it('applies backpressure: the upstream is read only as fast as the caller reads', async () => {
      const total = 64 * MiB;
      const blob = pumpingBlob(total);
      const r = await registry();
      r.hook = (_req, res) => (blob.serve(res), true);
      const { client: c } = client(r.url);
      const got = await c.getBlob('library/big', DIGEST);
      expect(got!.size).toBe(total);
      await sleep(400);
      // Only socket and stream buffers are filled while nobody reads.
      expect(blob.state.written).toBeLessThan(16 * MiB);
      expect((await digestStream(got!.body.stream())).digest).toBe(blob.state.digest);
      expect(blob.state.written).toBe(total);
    });

    it('destroying the stream closes the upstream connection; the client keeps working', async () => {
      const total = 64 * MiB;
      const blob = pumpingBlob(total);
      const r = await registry();
      r.hook = (_req, res, rec) => {
        if (rec.path.includes('/blobs/')) {
          blob.serve(res);
          return true;
        }
        return false;
      };
      r.addManifest('library/alpine', 'latest', { schemaVersion: 2 });
      const { client: c } = client(r.url);
      const got = await c.getBlob('library/big', DIGEST);
      const stream = got!.body.stream();
      const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
      expect(first.length).toBeGreaterThan(0);
      stream.destroy();
      await sleep(100);
      expect(blob.state.closedEarly).toBe(true);
      expect(blob.state.finished).toBe(false);
      const writtenAtClose = blob.state.written;
      await sleep(100);
      expect(blob.state.written).toBe(writtenAtClose);
      expect(await c.headManifest('library/alpine', 'latest', '')).not.toBeNull();
    });

    it('a slow reader does not trip the idle timeout', async () => {
      const blob = pumpingBlob(8 * MiB);
      const r = await registry();
      r.hook = (_req, res) => (blob.serve(res), true);
      const { client: c } = client(r.url, { idleTimeoutMs: 150 });
      const got = await c.getBlob('library/big', DIGEST);
      const h = createHash('sha256');
      let pauses = 0;
      for await (const chunk of got!.body.stream()) {
        h.update(chunk as Buffer);
        if (pauses < 2) {
          pauses++;
          await sleep(400);
        }
      }
      expect(`sha256:${h.digest('hex')}`).toBe(blob.state.digest);
    });

    it('an upstream that stalls mid-body errors the stream with a timeout', async () => {
      const r = await registry();
      r.hook = (_req, res) => {
        res.writeHead(200, { 'content-length': 10_000 });
        res.write(Buffer.alloc(1000));
        return true; // and then nothing
      };
      const { client: c } = client(r.url, { idleTimeoutMs: 200 });
      const got = await c.getBlob('library/alpine', DIGEST);
      const started = Date.now();
      const e = await errorOf(collect(got!.body.stream()));
      expect(e.kind).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('a connection closed mid-body errors the stream', async () => {
      const r = await registry();
      r.hook = (_req, res) => {
        res.writeHead(200, { 'content-length': 100_000 });
        res.write(Buffer.alloc(5000), () => setTimeout(() => res.socket?.destroy(), 20));
        return true;
      };
      const { client: c } = client(r.url);
      const got = await c.getBlob('library/alpine', DIGEST);
      const e = await errorOf(collect(got!.body.stream()));
      expect(['unreachable', 'invalid']).toContain(e.kind);
    });

    it('a chunked blob has size null', async () => {
      const blob = pumpingBlob(3 * MiB + 17, { contentLength: false });
      const r = await registry();
      r.hook = (_req, res) => (blob.serve(res), true);
      const { client: c } = client(r.url);
      const got = await c.getBlob('library/alpine', DIGEST);
      expect(got!.size).toBeNull();
      expect((await digestStream(got!.body.stream())).digest).toBe(blob.state.digest);
    });
  });

  describe('timeouts and connection failures', () => {
    it('no response head within idleTimeoutMs is a timeout (reported with status 0)', async () => {
      const r = await registry();
      r.hook = () => true; // never answers
      const { client: c, calls } = client(r.url, { idleTimeoutMs: 200 });
      const e = await errorOf(c.getManifest('library/alpine', 'latest', ''));
      expect(e.kind).toBe('timeout');
      expect(calls).toEqual([['manifest-get', 0]]);
    });

    it('a connection that never completes (TLS handshake unanswered) hits connectTimeoutMs', async () => {
      const sockets = new Set<net.Socket>();
      const silent = net.createServer((s) => sockets.add(s));
      await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
      defer(
        () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.destroy();
            silent.close(() => res());
          }),
      );
      const { port } = silent.address() as net.AddressInfo;
      const { client: c } = client(`https://127.0.0.1:${port}`, { connectTimeoutMs: 200, idleTimeoutMs: 30_000 });
      const started = Date.now();
      const e = await errorOf(c.ping());
      expect(e.kind).toBe('timeout');
      expect(e.message).toContain('connecting');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('connection refused and unknown hosts are unreachable', async () => {
      const r = await UpstreamRegistry.start();
      const url = r.url;
      await r.stop();
      const refused = await errorOf(client(url).client.getManifest('library/alpine', 'latest', ''));
      expect(refused.kind).toBe('unreachable');
      expect(refused.message).toContain('ECONNREFUSED');
      const dns = await errorOf(client('http://no-such-host.invalid').client.ping());
      expect(dns.kind).toBe('unreachable');
    });

    it('reuses keep-alive connections', async () => {
      const r = await registry();
      let connections = 0;
      r.server.on('connection', () => connections++);
      r.addManifest('library/alpine', 'latest', { schemaVersion: 2 });
      const blob = Buffer.alloc(300_000, 1);
      const d = r.addBlob(blob);
      const { client: c } = client(r.url);
      for (let i = 0; i < 5; i++) {
        await c.getManifest('library/alpine', 'latest', '');
        await c.headManifest('library/alpine', 'latest', '');
        expect((await collect((await c.getBlob('library/alpine', d))!.body.stream())).equals(blob)).toBe(true);
        expect(await c.getManifest('library/alpine', 'missing', '')).toBeNull();
      }
      // One for the API requests, one more for the blob GETs when the native client carries those.
      expect(connections).toBe(native ? 2 : 1);
    });
  });

  describe('https', () => {
    const tls = selfSignedCert();

    it.skipIf(tls === null)('talks TLS with a configured CA, refuses an unknown certificate', async () => {
      const r = await registry({ tls: tls! });
      const digest = r.addManifest('library/alpine', 'latest', { schemaVersion: 2 });
      expect(r.url.startsWith('https://')).toBe(true);

      const trusted = client(r.url, { tls: { ca: tls!.cert } }).client;
      expect((await trusted.getManifest('library/alpine', 'latest', ''))?.digest).toBe(digest);

      const e = await errorOf(client(r.url).client.getManifest('library/alpine', 'latest', ''));
      expect(e.kind).toBe('unreachable');
      expect(e.message).toContain('TLS');

      const lax = client(r.url, { tls: { rejectUnauthorized: false } }).client;
      expect((await lax.headManifest('library/alpine', 'latest', ''))?.digest).toBe(digest);
    });

    it.skipIf(tls === null)('follows an https registry redirect to an http store without Authorization', async () => {
      const store = await BlobOrigin.start();
      defer(() => store.stop());
      const r = await registry({ tls: tls!, redirectBlobsTo: store, auth: { username: 'u', password: 'p' } });
      const d = r.addBlob(Buffer.from('layer bytes'));
      const { client: c } = client(r.url, { tls: { ca: tls!.cert }, credentials: { username: 'u', password: 'p' } });
      expect((await collect((await c.getBlob('library/alpine', d))!.body.stream())).toString()).toBe('layer bytes');
      expect(store.requests[0]!.headers.authorization).toBeUndefined();
    });

    it.skipIf(tls === null)('will not send credentials to a plain-http token realm of an https registry', async () => {
      const tokens = await TokenServer.start();
      defer(() => tokens.stop());
      const r = await registry({ tls: tls!, auth: tokens });
      r.addManifest('library/alpine', 'latest', { schemaVersion: 2 });
      const withCreds = client(r.url, { tls: { ca: tls!.cert }, credentials: { username: 'u', password: 'p' } }).client;
      const e = await errorOf(withCreds.getManifest('library/alpine', 'latest', ''));
      expect(e.kind).toBe('auth');
      expect(tokens.requests).toHaveLength(0);
      // Anonymous tokens carry no secret: fine over http.
      const anon = client(r.url, { tls: { ca: tls!.cert } }).client;
      expect(await anon.getManifest('library/alpine', 'latest', '')).not.toBeNull();
      expect(tokens.requests).toHaveLength(1);
    });
  });

  describe('keep-alive edge cases', () => {
    it('retries once on a new connection when a reused keep-alive socket was closed by the server', async () => {
      const r = await registry();
      const digest = r.addManifest('library/alpine', 'latest', { schemaVersion: 2 });
      const perSocket = new WeakMap<object, number>();
      let killed = 0;
      r.hook = (req) => {
        const n = (perSocket.get(req.socket) ?? 0) + 1;
        perSocket.set(req.socket, n);
        if (n === 2) {
          // The server gave up on the idle connection just as the client reused it.
          killed++;
          req.socket.destroy();
          return true;
        }
        return false;
      };
      const { client: c, calls } = client(r.url);
      expect((await c.getManifest('library/alpine', 'latest', ''))?.digest).toBe(digest);
      expect((await c.getManifest('library/alpine', 'latest', ''))?.digest).toBe(digest);
      expect(killed).toBe(1);
      expect(calls).toEqual([
        ['manifest-get', 200],
        ['manifest-get', 200],
      ]);
    });
  });
});

describe.runIf(nativeIoAvailable())('blob GETs through the native client: the body received off the JavaScript thread (IncomingBody.receive)', () => {
  beforeAll(() => {
    nativeBodies = true;
  });

  async function blobStore() {
    const root = await mkdtemp(join(tmpdir(), 'wharf-socket-body-'));
    defer(() => rm(root, { recursive: true, force: true }));
    const store = new FileBlobStore({ root });
    await store.init();
    return store;
  }

  it('a plain-HTTP blob, part of it sent with the head and the rest later: every byte stored, and the connection reused', async () => {
    const content = randomBytes(6 * MiB + 123);
    const digest = sha256(content);
    const r = await registry();
    // Part of the body comes with the head, the rest later.
    r.hook = (req, res) => {
      if (!req.url?.includes('/blobs/')) return false;
      res.writeHead(200, { 'content-length': content.length, 'content-type': 'application/octet-stream' });
      res.write(content.subarray(0, 300_000));
      setTimeout(() => res.end(content.subarray(300_000)), 200);
      return true;
    };
    const { client: c } = client(r.url);
    const got = (await c.getBlob('library/big', digest))!;
    expect(got.size).toBe(content.length);
    expect(got.body.length).toBe(content.length);
    expect(got.body.receive).toBeTypeOf('function');
    await sleep(100);
    const before = nativeReceives();
    const store = await blobStore();
    expect(await store.write(got.body, { digest, size: content.length })).toEqual({ digest, size: content.length });
    expect(nativeReceives() - before).toBe(1);
    // The body was read to its end: the next blob GET goes over the same connection.
    r.hook = null;
    let connections = 0;
    r.server.on('connection', () => connections++);
    const small = r.addBlob(Buffer.from('after the first blob'));
    expect((await collect((await c.getBlob('library/big', small))!.body.stream())).toString()).toBe('after the first blob');
    expect(connections).toBe(0);
  });

  it('an HTTPS blob: the TLS is the native client\'s, trusting the configured CA; an unknown certificate is refused', async () => {
    const tls = selfSignedCert();
    if (!tls) return;
    const r = await registry({ tls });
    const content = randomBytes(5 * MiB + 1);
    const digest = r.addBlob(content);
    const store = await blobStore();
    const before = nativeReceives();
    const { client: trusting } = client(r.url, { tls: { ca: tls.cert } });
    expect(await store.write((await trusting.getBlob('library/big', digest))!.body, { digest })).toEqual({ digest, size: content.length });
    expect(nativeReceives() - before).toBe(1);
    const { client: stranger } = client(r.url);
    const e = await errorOf(stranger.getBlob('library/big', digest));
    expect(e.kind).toBe('unreachable');
    expect(e.message).toMatch(/TLS error/);
  });

  it('small, chunked and content-coded bodies are received the same way (the bytes as sent, hashed)', async () => {
    const r = await registry();
    const big = randomBytes(2 * MiB);
    const small = r.addBlob(Buffer.from('tiny'));
    const chunked = pumpingBlob(2 * MiB, { contentLength: false });
    const gzipped = sha256('coded');
    r.hook = (req, res) => {
      if (req.url?.endsWith(DIGEST)) return (chunked.serve(res), true);
      if (req.url?.endsWith(gzipped)) {
        res.writeHead(200, { 'content-length': big.length, 'content-encoding': 'gzip' });
        res.end(big);
        return true;
      }
      return false;
    };
    const { client: c } = client(r.url);
    const store = await blobStore();
    const tiny = (await c.getBlob('library/a', small))!;
    expect(tiny.body.receive).toBeTypeOf('function');
    expect(await store.write(tiny.body, { digest: small })).toEqual({ digest: small, size: 4 });
    const unsized = (await c.getBlob('library/a', DIGEST))!;
    expect(unsized.body.length).toBeNull();
    expect(await store.write(unsized.body, { digest: chunked.state.digest })).toEqual({ digest: chunked.state.digest, size: 2 * MiB });
    // Registries never encode blobs; one that did would send other bytes, which the digest refuses.
    const coded = (await c.getBlob('library/a', gzipped))!;
    expect(coded.size).toBe(big.length);
    await expect(store.write(coded.body, { digest: gzipped })).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
  });

  it('the stream still works when the body could have received itself but was streamed', async () => {
    const r = await registry();
    const content = randomBytes(3 * MiB);
    const d = r.addBlob(content);
    const { client: c } = client(r.url);
    const got = (await c.getBlob('library/a', d))!;
    expect(got.body.receive).toBeTypeOf('function');
    expect((await digestStream(got.body.stream())).digest).toBe(d);
  });
});
