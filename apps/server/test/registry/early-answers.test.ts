import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINGER_IDLE_MS, LINGER_MS, lingeringCloses } from '../../src/http/lingering-close';
import { RawConnection, requestHead, sendBody } from '../support/raw-connection';
import { pathOf } from '../support/registry';
import { createHosted } from '../support/rest';
import { type HostedFixture, hostedFixture } from '../support/setup';
import { useTestWharf } from '../support/wharf';
import { TestCa } from '../../../../test/support/tls';

// Answers given while the client is still sending its request body (a refused upload, a REST body over its
// limit) must reach the client: the server closes such a connection lingering (http/lingering-close.ts),
// reading and dropping the rest of the body for a bounded time, instead of resetting it under a client still
// writing. The client here is a raw socket that sends its whole body, fast or slowly, and stops at the first
// failed write, as real clients do; it must send everything without a reset and then read the whole answer.

const MiB = 1024 * 1024;
const DIGEST = `sha256:${'0'.repeat(64)}`;

const ca = TestCa.create();
afterAll(() => ca.dispose());
const certificate = ca.issue(['127.0.0.1']);
/** Serves HTTPS too (its main port's twin). */
const wharf = useTestWharf({ config: { tls: { certificateFile: certificate.certFile, keyFile: certificate.keyFile }, httpsPort: 0 } });
/** A Wharf whose blob store is below its free-space floor: every upload is refused with 507. */
const full = useTestWharf({ config: { minFreeSpace: 2 ** 60 } });
let repo: HostedFixture;
let location: string;

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'early');
  await createHosted(full.http, 'early');
  location = pathOf((await repo.connector.startUpload('app')).location);
});

interface Case {
  name: string;
  port: () => number;
  /** Over TLS (the main HTTPS port). */
  tls?: boolean;
  /** The request head for a body of `size` bytes (with the first chunk's size line when chunked). */
  head: (size: number) => string;
  status: number;
  /** Expected in the answer's body. */
  says: RegExp;
}

const octets = (size: number) => ({ 'Content-Type': 'application/octet-stream', 'Content-Length': size });
/** A chunked request head and the size line of one chunk as long as the whole body. */
const chunkedHead = (method: string, path: string, headers: Record<string, string>, size: number) =>
  `${requestHead(method, path, { ...headers, 'Transfer-Encoding': 'chunked' })}${size.toString(16)}\r\n`;

const CASES: Case[] = [
  {
    name: '507 store full, single-request POST ?digest= (body read by the addon)',
    port: () => full.port,
    head: (size) => requestHead('POST', `/v2/early/app/blobs/uploads/?digest=${DIGEST}`, { Authorization: full.authorization, ...octets(size) }),
    status: 507,
    says: /blob store has .* free/,
  },
  {
    name: '416 PATCH through the main port (path addressing)',
    port: () => wharf.port,
    head: (size) => requestHead('PATCH', `/v2/early/app/blobs/uploads/${location.split('/').at(-1)}`, { Authorization: wharf.authorization, 'Content-Range': `7-${size + 6}`, ...octets(size) }),
    status: 416,
    says: /BLOB_UPLOAD_INVALID|RANGE|range/i,
  },
  {
    name: '401 chunked PATCH without credentials (body read by the addon)',
    port: () => repo.httpPort!,
    head: (size) => chunkedHead('PATCH', location, {}, size),
    status: 401,
    says: /UNAUTHORIZED/,
  },
  {
    name: '401 monolithic PUT without credentials',
    port: () => repo.httpPort!,
    head: (size) => requestHead('PUT', `${location}?digest=${DIGEST}`, octets(size)),
    status: 401,
    says: /UNAUTHORIZED/,
  },
  {
    name: '401 monolithic PUT without credentials over HTTPS (body read by Node through TLS)',
    port: () => wharf.httpsPort!,
    tls: true,
    head: (size) => requestHead('PUT', `/v2/early/app/blobs/uploads/${location.split('/').at(-1)}`, octets(size)),
    status: 401,
    says: /UNAUTHORIZED/,
  },
  {
    name: '416 PATCH whose Content-Range does not follow on (body read by the addon)',
    port: () => repo.httpPort!,
    head: (size) => requestHead('PATCH', location, { Authorization: wharf.authorization, 'Content-Range': `5-${size + 4}`, ...octets(size) }),
    status: 416,
    says: /BLOB_UPLOAD_INVALID|range/i,
  },
  {
    name: '413 manifest over its limit (body read by Node)',
    port: () => repo.httpPort!,
    head: (size) => requestHead('PUT', '/v2/app/manifests/big', { Authorization: wharf.authorization, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': size }),
    status: 413,
    says: /MANIFEST_INVALID/,
  },
  {
    name: '413 REST body over 1 MiB, declared',
    port: () => wharf.port,
    head: (size) => requestHead('POST', '/service/rest/v1/security/users', { Authorization: wharf.authorization, 'Content-Type': 'application/json', 'Content-Length': size }),
    status: 413,
    says: /larger than/,
  },
  {
    name: '413 REST body over 1 MiB, chunked (refused once 1 MiB was read)',
    port: () => wharf.port,
    head: (size) => chunkedHead('POST', '/service/rest/v1/security/users', { Authorization: wharf.authorization, 'Content-Type': 'application/json' }, size),
    status: 413,
    says: /larger than/,
  },
];

const PACES = [
  { pace: 'fast', size: 48 * MiB, pauseMs: 0, pieceBytes: 256 * 1024 },
  // Above every limit (a manifest's is 4 MiB), in pieces a slow link would carry, well within the lingering time.
  { pace: 'slow', size: 6 * MiB, pauseMs: 15, pieceBytes: 128 * 1024 },
];

describe('an answer given while the client still sends its body reaches the client', () => {
  for (const c of CASES) {
    for (const { pace, size, pauseMs, pieceBytes } of PACES) {
      it(`${c.name}, client sending ${pace}`, async () => {
        const before = lingeringCloses();
        const conn = await RawConnection.open(c.port(), c.tls ? { ca: ca.cert } : undefined);
        const sent = await sendBody(conn, c.head(size), { size, pauseMs, pieceBytes });
        // Every byte went out: no reset under a client still writing.
        expect(sent).toEqual({ sent: size });
        const answer = await conn.response();
        expect(answer.status, answer.body.toString()).toBe(c.status);
        expect(answer.headers.connection).toBe('close');
        expect(answer.body.toString()).toMatch(c.says);
        JSON.parse(answer.body.toString());
        expect(await conn.closed()).toBe(true);
        expect(lingeringCloses()).toBe(before + 1);
      });
    }
  }
});

describe('lingering is bounded', () => {
  it('a client that keeps sending is cut once the lingering time is over, after it got the answer', async () => {
    const conn = await RawConnection.open(repo.httpPort!);
    const started = Date.now();
    const sent = await sendBody(conn, requestHead('PUT', `${location}?digest=${DIGEST}`, octets(10 ** 12)), {
      size: 10 ** 12,
      pieceBytes: 16 * 1024,
      pauseMs: 100,
      stopAfterMs: LINGER_MS + 10_000,
    });
    const answer = await conn.response();
    expect(answer.status).toBe(401);
    // The server destroyed the connection: the writes after that failed.
    expect(sent.writeError).toMatch(/EPIPE|ECONNRESET/);
    expect(Date.now() - started).toBeLessThan(LINGER_MS + 5_000);
    expect(await conn.closed()).toBe(true);
  }, 30_000);

  it('a client that goes silent without closing is let go once idle', async () => {
    const conn = await RawConnection.open(repo.httpPort!);
    const started = Date.now();
    await conn.write(requestHead('PUT', `${location}?digest=${DIGEST}`, octets(64 * MiB)));
    await conn.write(Buffer.alloc(2 * MiB));
    const answer = await conn.response();
    expect(answer.status).toBe(401);
    expect(await conn.closed(LINGER_MS + 5_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(LINGER_IDLE_MS + 3_000);
  }, 30_000);

  it('a small body left unread is drained and the connection kept', async () => {
    const before = lingeringCloses();
    const conn = await RawConnection.open(repo.httpPort!);
    const body = Buffer.alloc(10 * 1024, 0x20);
    const head = requestHead('PUT', '/v2/app/manifests/small', { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': body.length });
    await conn.write(Buffer.concat([Buffer.from(head), body]));
    const first = await conn.response();
    expect(first.status).toBe(401);
    expect(first.headers.connection).toBe('keep-alive');
    await conn.write(requestHead('GET', '/v2/', {}));
    expect((await conn.response()).status).toBe(401);
    expect(await conn.closed(200)).toBe(false);
    conn.destroy();
    expect(lingeringCloses()).toBe(before);
  });

  it('a small body left unread on a connection the client closes after the answer lingers too', async () => {
    const before = lingeringCloses();
    const conn = await RawConnection.open(repo.httpPort!);
    const head = requestHead('PUT', '/v2/app/manifests/small', { Connection: 'close', 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': 32 * 1024 });
    expect(await sendBody(conn, head, { size: 32 * 1024, pieceBytes: 4096, pauseMs: 20 })).toEqual({ sent: 32 * 1024 });
    const answer = await conn.response();
    expect(answer.status).toBe(401);
    expect(answer.headers.connection).toBe('close');
    expect(await conn.closed()).toBe(true);
    expect(lingeringCloses()).toBe(before + 1);
  });
});
