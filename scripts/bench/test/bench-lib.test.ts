// The bench's pure parts, table-driven: parsing wrk's output, classifying pass-through requests, the
// comparison column of the report, counter differences, medians and the reproducible byte source.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RandomSource } from '../src/lib/content';
import { classify, diffCounts, KINDS, type Counts, type RequestKind } from '../src/lib/passthrough';
import { median, medianOf } from '../src/lib/proxy-env';
import { compare } from '../src/lib/report';
import { parseWrk } from '../src/lib/wrk';

const WRK_OUTPUT = `Running 10s test @ http://127.0.0.1:5000/v2/bench/small/manifests/v1
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.02ms    2.10ms  41.33ms   81.20%
    Req/Sec     2.67k   312.45     3.20k    70.00%
  Latency Distribution
     50%    5.61ms
     75%    6.90ms
     90%    8.44ms
     99%   13.02ms
  53211 requests in 10.01s, 61.23MB read
  Socket errors: connect 0, read 2, write 0, timeout 5
  Non-2xx or 3xx responses: 7
Requests/sec:   5315.78
Transfer/sec:      6.12MB
`;

describe('parseWrk', () => {
  it('reads the summary, the percentiles and the errors', () => {
    const r = parseWrk(WRK_OUTPUT);
    expect(r.latencyAvgMs).toBeCloseTo(6.02);
    expect(r.latencyMaxMs).toBeCloseTo(41.33);
    expect(r.latencyPercentilesMs).toEqual({ p50: 5.61, p75: 6.9, p90: 8.44, p99: 13.02 });
    expect(r.requests).toBe(53211);
    expect(r.durationS).toBeCloseTo(10.01);
    expect(r.bytesRead).toBeCloseTo(61.23 * 1024 ** 2);
    expect(r.socketErrors).toEqual({ connect: 0, read: 2, write: 0, timeout: 5 });
    expect(r.non2xx3xx).toBe(7);
    expect(r.requestsPerSec).toBeCloseTo(5315.78);
    expect(r.transferPerSecBytes).toBeCloseTo(6.12 * 1024 ** 2);
  });

  it.each([
    ['us', '250.00us', 0.25],
    ['s', '1.50s', 1500],
    ['m', '2.00m', 120_000],
  ])('converts a latency in %s', (_unit, text, ms) => {
    expect(parseWrk(`    Latency  ${text}  1.00ms  2.00ms  50%`).latencyAvgMs).toBeCloseTo(ms);
  });

  it('leaves out what the output does not say', () => {
    const r = parseWrk('unable to connect to 127.0.0.1:1 Connection refused');
    expect(r.requests).toBeUndefined();
    expect(r.requestsPerSec).toBeUndefined();
    expect(r.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
    expect(r.latencyPercentilesMs).toEqual({});
  });
});

describe('classify (pass-through request kinds)', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  it.each<[string, string, RequestKind]>([
    ['GET', '/v2/', 'ping'],
    ['GET', '/v2', 'ping'],
    ['GET', '/v2/library/busybox/manifests/latest', 'manifest-get'],
    ['HEAD', '/v2/library/busybox/manifests/latest?x=1', 'manifest-head'],
    ['DELETE', '/v2/library/busybox/manifests/latest', 'other'],
    ['GET', `/v2/library/busybox/blobs/${digest}`, 'blob-get'],
    ['HEAD', `/v2/library/busybox/blobs/${digest}`, 'blob-head'],
    ['GET', '/v2/library/busybox/blobs/sha256:short', 'other'],
    ['POST', '/v2/library/busybox/blobs/uploads/', 'other'],
  ])('%s %s -> %s', (method, url, kind) => {
    expect(classify(method, url)).toBe(kind);
  });
});

describe('compare (the report\'s "Wharf vs" column)', () => {
  it.each([
    // w, d, better, text, worsePct
    [2, 1, 'lower', '+100.0% (2.00x) WORSE', 100],
    [1, 2, 'lower', '-50.0% (0.50x) better', 0],
    [110, 100, 'higher', '+10.0% better', 0],
    [80, 100, 'higher', '-20.0% WORSE', 20],
    [101, 100, 'lower', '≈ (+1.0%)', 0],
    [0, 0, 'lower', 'same', 0],
    [5, 0, 'lower', '', 0],
    [null, 1, 'lower', '', 0],
  ] as const)('%s vs %s (%s is better): %s', (w, d, better, text, worsePct) => {
    expect(compare(w, d, better)).toEqual({ text, worsePct });
  });
});

describe('diffCounts', () => {
  const counts = (n: number): Counts => ({
    requests: Object.fromEntries(KINDS.map((k, i) => [k, n * (i + 1)])) as Record<RequestKind, number>,
    bytesDown: Object.fromEntries(KINDS.map((k) => [k, n * 100])) as Record<RequestKind, number>,
    status: {},
    aborted: n,
    errors: 0,
    inflight: 0,
    maxInflightBlobGets: n + 1,
    inflightBlobGets: 0,
    other: Array.from({ length: n }, (_, i) => `GET /x${i}`),
  });

  it('is after - before per kind, with the total and the new unexpected requests', () => {
    const d = diffCounts(counts(1), counts(3));
    expect(d.requests).toEqual({ ping: 2, 'manifest-get': 4, 'manifest-head': 6, 'blob-get': 8, 'blob-head': 10, other: 12 });
    expect(d.bytesDown['blob-get']).toBe(200);
    expect(d.total).toBe(42);
    expect(d.aborted).toBe(2);
    expect(d.maxInflightBlobGets).toBe(4);
    expect(d.other).toEqual(['GET /x1', 'GET /x2']);
  });
});

describe('median', () => {
  it.each([
    [[3], 3],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('median(%j) = %s', (xs, m) => {
    expect(median(xs)).toBe(m);
  });

  it('medianOf skips missing values and is null without any', () => {
    expect(medianOf([1, null, 5, 3])).toBe(3);
    expect(medianOf([null, null])).toBeNull();
  });
});

describe('RandomSource', () => {
  const collect = async (source: RandomSource, start: number, end: number) => {
    const pieces: Buffer[] = [];
    await source.forEach(start, end, (p) => pieces.push(Buffer.from(p)));
    return Buffer.concat(pieces);
  };

  it('gives the same bytes for the same seed, other bytes for another, and resumes at any 16-byte offset', async () => {
    const size = 3 * 1024 * 1024 + 100;
    const a = new RandomSource('seed-a', size);
    const whole = await collect(a, 0, size);
    expect(whole.length).toBe(size);
    expect(await a.digest()).toBe(`sha256:${createHash('sha256').update(whole).digest('hex')}`);
    expect((await collect(new RandomSource('seed-a', size), 0, 4096)).equals(whole.subarray(0, 4096))).toBe(true);
    expect((await collect(new RandomSource('seed-b', size), 0, 4096)).equals(whole.subarray(0, 4096))).toBe(false);
    const from = 1024 * 1024 + 16 * 7;
    expect((await collect(a, from, size)).equals(whole.subarray(from))).toBe(true);
    await expect(a.forEach(8, 64, () => undefined)).rejects.toThrow(/16-byte boundary/);
  });
});
