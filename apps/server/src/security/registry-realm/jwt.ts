import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compact JWS (JWT) signed with HMAC-SHA256, as used for Docker registry tokens (docs/spec/auth/jwt.md).
 * The algorithm is pinned: a token whose header says anything but HS256 (`none` included) is rejected
 * before any key is looked at; `kid` picks the key among the current and previous ones.
 */

export interface JwtKey {
  kid: string;
  secret: Buffer;
}

/** One entry of the `access` claim: a resource and the actions granted on it. */
export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: AccessEntry[];
  /** The API token the caller logged in with, when it did: the token lives only as long as that one. */
  tid?: string;
}

export class JwtError extends Error {}

export interface VerifyOptions {
  /** The key of a `kid`, undefined when unknown. */
  key(kid: string): Buffer | undefined;
  issuer: string;
  audience: string;
  /** Seconds since the epoch (tests). */
  now?: number;
  /** Clock skew tolerated on exp and nbf, in seconds. */
  leeway?: number;
}

const ALG = 'HS256';
const B64URL = /^[A-Za-z0-9_-]+$/;

export function signJwt(claims: TokenClaims, key: JwtKey): string {
  const header = encode({ typ: 'JWT', alg: ALG, kid: key.kid });
  const payload = encode(claims);
  const signature = hmac(key.secret, `${header}.${payload}`).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The claims of a valid token; throws JwtError (without echoing the token) otherwise. */
export function verifyJwt(token: string, options: VerifyOptions): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  const header = decodeObject(h, 'header');
  if (header.alg !== ALG) throw new JwtError('unsupported signature algorithm');
  if (header.typ !== undefined && header.typ !== 'JWT') throw new JwtError('unsupported token type');
  if (header.crit !== undefined) throw new JwtError('unsupported critical header');
  if (typeof header.kid !== 'string') throw new JwtError('no key id');
  const secret = options.key(header.kid);
  if (!secret) throw new JwtError('unknown key id');
  const signature = decodeBytes(s, 'signature');
  const expected = hmac(secret, `${h}.${p}`);
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw new JwtError('bad signature');

  const claims = decodeObject(p, 'payload');
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const leeway = options.leeway ?? 0;
  if (claims.iss !== options.issuer) throw new JwtError('wrong issuer');
  const aud = claims.aud;
  if (!(aud === options.audience || (Array.isArray(aud) && aud.includes(options.audience)))) throw new JwtError('wrong audience');
  if (typeof claims.exp !== 'number' || claims.exp + leeway <= now) throw new JwtError('expired');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf - leeway > now)) throw new JwtError('not valid yet');
  if (typeof claims.sub !== 'string') throw new JwtError('no subject');
  if (claims.tid !== undefined && typeof claims.tid !== 'string') throw new JwtError('malformed tid claim');
  const access = claims.access ?? [];
  if (!Array.isArray(access) || !access.every(isAccessEntry)) throw new JwtError('malformed access claim');
  return {
    iss: claims.iss,
    sub: claims.sub,
    aud: options.audience,
    exp: claims.exp,
    nbf: typeof claims.nbf === 'number' ? claims.nbf : 0,
    iat: typeof claims.iat === 'number' ? claims.iat : 0,
    jti: typeof claims.jti === 'string' ? claims.jti : '',
    access: access as AccessEntry[],
    ...(typeof claims.tid === 'string' ? { tid: claims.tid } : {}),
  };
}

function isAccessEntry(e: unknown): e is AccessEntry {
  if (typeof e !== 'object' || e === null) return false;
  const a = e as Partial<AccessEntry>;
  return typeof a.type === 'string' && typeof a.name === 'string' && Array.isArray(a.actions) && a.actions.every((x) => typeof x === 'string');
}

function hmac(secret: Buffer, input: string): Buffer {
  return createHmac('sha256', secret).update(input, 'ascii').digest();
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Strict base64url (no padding, nothing Buffer would silently skip). */
function decodeBytes(s: string, what: string): Buffer {
  if (!B64URL.test(s) || s.length % 4 === 1) throw new JwtError(`malformed ${what}`);
  const bytes = Buffer.from(s, 'base64url');
  if (bytes.toString('base64url') !== s) throw new JwtError(`malformed ${what}`);
  return bytes;
}

function decodeObject(s: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decodeBytes(s, what).toString('utf8'));
  } catch (err) {
    if (err instanceof JwtError) throw err;
    throw new JwtError(`malformed ${what}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwtError(`malformed ${what}`);
  return value as Record<string, unknown>;
}
