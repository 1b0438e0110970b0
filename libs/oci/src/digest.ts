/**
 * Content digests (OCI image-spec "Digests"): parsing, one-shot and incremental hashing,
 * and a pass-through stream that verifies a blob while it is being stored.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RegistryError } from './errors';

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  encoded: string;
}

// Generic grammar from the image spec; checked first so messages distinguish "not a digest
// at all" from "a digest we do not support".
const ALGORITHM_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;
const ENCODED_GRAMMAR = /^[a-zA-Z0-9=_-]+$/;

// Registered algorithms: lowercase hex only, exact length (the spec forbids upper case).
const ENCODED_BY_ALGORITHM: Record<DigestAlgorithm, { pattern: RegExp; length: number }> = {
  sha256: { pattern: /^[a-f0-9]{64}$/, length: 64 },
  sha512: { pattern: /^[a-f0-9]{128}$/, length: 128 },
};

function invalid(digest: unknown, message: string): RegistryError {
  return new RegistryError('DIGEST_INVALID', message, { digest });
}

function isSupportedAlgorithm(a: string): a is DigestAlgorithm {
  return Object.prototype.hasOwnProperty.call(ENCODED_BY_ALGORITHM, a);
}

export function parseDigest(s: string): ParsedDigest {
  if (typeof s !== 'string' || s.length === 0) throw invalid(s, 'digest is empty');
  const colon = s.indexOf(':');
  if (colon < 0) throw invalid(s, `digest "${s}" has no algorithm prefix (expected "<algorithm>:<encoded>")`);
  const algorithm = s.slice(0, colon);
  const encoded = s.slice(colon + 1);
  if (!ALGORITHM_GRAMMAR.test(algorithm)) throw invalid(s, `digest algorithm "${algorithm}" is malformed`);
  if (!ENCODED_GRAMMAR.test(encoded)) throw invalid(s, `digest "${s}" has a malformed encoded part`);
  if (!isSupportedAlgorithm(algorithm)) throw invalid(s, `unsupported digest algorithm "${algorithm}" (sha256 and sha512 are supported)`);
  const rule = ENCODED_BY_ALGORITHM[algorithm];
  if (!rule.pattern.test(encoded)) {
    throw invalid(s, `${algorithm} digest must be ${rule.length} lowercase hex characters`);
  }
  return { algorithm, encoded };
}

export function isValidDigest(s: string): boolean {
  try {
    parseDigest(s);
    return true;
  } catch {
    return false;
  }
}

export function digestOf(data: Buffer | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Incremental hashing; digest() may be called more than once (the result is cached). */
export class Digester {
  readonly algorithm: DigestAlgorithm;
  private readonly hash: Hash;
  private count = 0;
  private result: string | undefined;

  constructor(algorithm: DigestAlgorithm = 'sha256') {
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
  }

  update(chunk: Buffer): void {
    if (this.result !== undefined) throw new Error('Digester: update() after digest()');
    this.hash.update(chunk);
    this.count += chunk.length;
  }

  get bytes(): number {
    return this.count;
  }

  digest(): string {
    this.result ??= `${this.algorithm}:${this.hash.digest('hex')}`;
    return this.result;
  }
}

export interface DigestVerifierOptions {
  /** Ignored when `expected` is given: the expected digest's algorithm is used. */
  algorithm?: DigestAlgorithm;
  expected?: string;
  expectedSize?: number;
}

/**
 * Passes bytes through unchanged while hashing them. With `expected`, the stream errors with
 * DIGEST_INVALID at the end if the content differs; with `expectedSize`, it errors with
 * SIZE_INVALID as soon as too many bytes arrive (so an oversized upload is cut off early)
 * or at the end if too few did. A malformed `expected` throws DIGEST_INVALID from the
 * constructor, before any byte is read.
 */
export class DigestVerifier extends Transform {
  private readonly digester: Digester;
  private readonly expected: string | undefined;
  private readonly expectedSize: number | undefined;
  private result: string | undefined;

  constructor(opts: DigestVerifierOptions = {}) {
    super();
    if (opts.expectedSize !== undefined && !(Number.isSafeInteger(opts.expectedSize) && opts.expectedSize >= 0)) {
      throw new RegistryError('SIZE_INVALID', `expected size ${opts.expectedSize} is not a non-negative integer`);
    }
    const algorithm = opts.expected !== undefined ? parseDigest(opts.expected).algorithm : (opts.algorithm ?? 'sha256');
    this.digester = new Digester(algorithm);
    this.expected = opts.expected;
    this.expectedSize = opts.expectedSize;
  }

  get bytes(): number {
    return this.digester.bytes;
  }

  /** The computed digest; available once the stream has flushed (by 'finish'). */
  digest(): string {
    if (this.result === undefined) throw new Error('DigestVerifier: digest() called before the stream finished');
    return this.result;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.expectedSize !== undefined && this.digester.bytes + chunk.length > this.expectedSize) {
      callback(
        new RegistryError('SIZE_INVALID', `content is larger than the expected ${this.expectedSize} bytes`, {
          expectedSize: this.expectedSize,
        }),
      );
      return;
    }
    this.digester.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = this.digester.digest();
    this.result = actual;
    if (this.expectedSize !== undefined && this.digester.bytes !== this.expectedSize) {
      callback(
        new RegistryError('SIZE_INVALID', `content is ${this.digester.bytes} bytes, expected ${this.expectedSize}`, {
          expectedSize: this.expectedSize,
          size: this.digester.bytes,
        }),
      );
      return;
    }
    if (this.expected !== undefined && actual !== this.expected) {
      callback(
        new RegistryError('DIGEST_INVALID', `content digest ${actual} does not match ${this.expected}`, {
          digest: this.expected,
          computed: actual,
        }),
      );
      return;
    }
    callback();
  }
}
