import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { registryErrorOf } from '../test/registry-error-of';
import { describe, expect, it } from 'vitest';
import { DigestVerifier, Digester, digestOf, isValidDigest, parseDigest } from './digest';
import { RegistryError } from './errors';

const HEX64 = 'a'.repeat(64);
const HEX128 = 'b'.repeat(128);
const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('parseDigest', () => {
  it.each([
    [`sha256:${HEX64}`, 'sha256', HEX64],
    [EMPTY_SHA256, 'sha256', EMPTY_SHA256.slice(7)],
    [`sha512:${HEX128}`, 'sha512', HEX128],
  ])('accepts %s', (s, algorithm, encoded) => {
    expect(parseDigest(s)).toEqual({ algorithm, encoded });
    expect(isValidDigest(s)).toBe(true);
  });

  it.each([
    ['empty', '', /empty/],
    ['missing colon', HEX64, /no algorithm prefix/],
    ['empty algorithm', `:${HEX64}`, /algorithm "" is malformed/],
    ['upper-case algorithm', `SHA256:${HEX64}`, /algorithm "SHA256" is malformed/],
    ['separator at algorithm end', `sha256+:${HEX64}`, /malformed/],
    ['empty encoded part', 'sha256:', /malformed encoded part/],
    ['bad characters in encoded part', `sha256:${'a'.repeat(63)}!`, /malformed encoded part/],
    ['unknown algorithm', `md5:${'a'.repeat(32)}`, /unsupported digest algorithm "md5"/],
    ['grammatical but unregistered algorithm', `sha256+b64u:${HEX64}`, /unsupported/],
    ['upper-case hex', `sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    ['sha256 too short', `sha256:${'a'.repeat(63)}`, /64 lowercase hex/],
    ['sha256 too long', `sha256:${'a'.repeat(65)}`, /64 lowercase hex/],
    ['sha256 non-hex', `sha256:${'g'.repeat(64)}`, /64 lowercase hex/],
    ['sha512 with 64 chars', `sha512:${HEX64}`, /128 lowercase hex/],
    ['second colon', `sha256:${HEX64}:x`, /malformed encoded part/],
  ])('rejects %s', (_label, s, message) => {
    expect(isValidDigest(s)).toBe(false);
    const error = registryErrorOf(() => parseDigest(s));
    expect(error.code).toBe('DIGEST_INVALID');
    expect(error.message).toMatch(message);
  });
});

describe('digestOf', () => {
  it.each([
    ['', 'sha256' as const, EMPTY_SHA256],
    ['hello', 'sha256' as const, `sha256:${createHash('sha256').update('hello').digest('hex')}`],
    ['hello', 'sha512' as const, `sha512:${createHash('sha512').update('hello').digest('hex')}`],
  ])('digestOf(%j, %s)', (data, alg, expected) => {
    expect(digestOf(data, alg)).toBe(expected);
    expect(digestOf(Buffer.from(data), alg)).toBe(expected);
  });

  it('defaults to sha256', () => {
    expect(digestOf('')).toBe(EMPTY_SHA256);
  });
});

describe('Digester', () => {
  it('hashes incrementally and counts bytes', () => {
    const d = new Digester();
    for (const part of ['hel', 'lo ', 'world']) d.update(Buffer.from(part));
    expect(d.bytes).toBe(11);
    expect(d.digest()).toBe(digestOf('hello world'));
    expect(d.digest()).toBe(digestOf('hello world')); // idempotent
    expect(() => d.update(Buffer.from('x'))).toThrow();
  });

  it('supports sha512', () => {
    const d = new Digester('sha512');
    d.update(Buffer.from('abc'));
    expect(d.digest()).toBe(digestOf('abc', 'sha512'));
  });
});

describe('DigestVerifier', () => {
  const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000 + i, i));
  const whole = Buffer.concat(chunks);
  const wholeDigest = digestOf(whole);

  async function run(verifier: DigestVerifier): Promise<{ out: Buffer; error?: unknown }> {
    const received: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        received.push(chunk);
        cb();
      },
    });
    try {
      await pipeline(Readable.from(chunks), verifier, sink);
      return { out: Buffer.concat(received) };
    } catch (error) {
      return { out: Buffer.concat(received), error };
    }
  }

  it.each([
    ['no expectations', {}],
    ['matching digest', { expected: wholeDigest }],
    ['matching digest and size', { expected: wholeDigest, expectedSize: whole.length }],
    ['matching size only', { expectedSize: whole.length }],
  ])('passes bytes through unchanged: %s', async (_label, opts) => {
    const v = new DigestVerifier(opts);
    const { out, error } = await run(v);
    expect(error).toBeUndefined();
    expect(out.equals(whole)).toBe(true);
    expect(v.digest()).toBe(wholeDigest);
    expect(v.bytes).toBe(whole.length);
  });

  it('uses the algorithm of the expected digest', async () => {
    const v = new DigestVerifier({ expected: digestOf(whole, 'sha512') });
    const { error } = await run(v);
    expect(error).toBeUndefined();
    expect(v.digest()).toBe(digestOf(whole, 'sha512'));
  });

  it.each([
    ['wrong digest', { expected: digestOf('other') }, 'DIGEST_INVALID', whole.length],
    ['too few bytes', { expectedSize: whole.length + 1 }, 'SIZE_INVALID', whole.length],
    ['size checked before digest', { expected: digestOf('other'), expectedSize: whole.length + 1 }, 'SIZE_INVALID', whole.length],
  ])('fails at the end on %s', async (_label, opts, code, forwarded) => {
    const v = new DigestVerifier(opts);
    const { out, error } = await run(v);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe(code);
    expect(out.length).toBe(forwarded);
  });

  it('fails as soon as more bytes than expectedSize arrive', async () => {
    const limit = chunks[0]!.length + 10; // inside the second chunk
    const v = new DigestVerifier({ expected: wholeDigest, expectedSize: limit });
    const { out, error } = await run(v);
    expect((error as RegistryError).code).toBe('SIZE_INVALID');
    expect(out.length).toBe(chunks[0]!.length); // the oversized chunk was never forwarded
    expect(v.bytes).toBe(chunks[0]!.length);
  });

  it('rejects a malformed expected digest up front', () => {
    expect(() => new DigestVerifier({ expected: 'sha256:nope' })).toThrow(RegistryError);
  });

  it('digest() before the end throws', () => {
    expect(() => new DigestVerifier().digest()).toThrow(/before the stream finished/);
  });

  it('exposes the digest by the finish event', async () => {
    const v = new DigestVerifier({ expected: digestOf('abc') });
    const seen = new Promise<string>((resolve) => v.on('finish', () => resolve(v.digest())));
    v.resume();
    v.end(Buffer.from('abc'));
    expect(await seen).toBe(digestOf('abc'));
  });
});
