import { randomBytes } from 'node:crypto';
import type { KeyRing } from './key-ring';
import { type AccessEntry, type TokenClaims, signJwt, verifyJwt } from './jwt';

export const TOKEN_ISSUER = 'wharf-token-service';
/** The `service` of challenges and the `aud` of tokens. */
export const REGISTRY_SERVICE = 'wharf-registry';
/** Docker clients refresh tokens on their own; 5 minutes, as Docker Hub (the spec wants at least 60 s). */
export const TOKEN_TTL_SECONDS = 300;

export interface IssuedToken {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
}

/**
 * Verified tokens remembered (checking one again costs an HMAC and a JSON parse). Clients fetch a token per
 * scope and operation, so thousands pile up in a token's 5 minutes: at 10 000 entries the cache held ~8 MiB
 * of a 300 s soak's live heap growth (test/e2e/soak.test.ts); 1000 recent ones cover the clients at work.
 */
const CACHE_MAX = 1000;

/** Signs registry tokens with the key ring's current key; verifies them (results cached until they expire). */
export class TokenService {
  private readonly verified = new Map<string, TokenClaims>();

  constructor(
    private readonly keys: KeyRing,
    private readonly ttlSeconds = TOKEN_TTL_SECONDS,
    private readonly now: () => number = Date.now,
  ) {}

  issue(subject: string, access: AccessEntry[], apiTokenId?: string): IssuedToken {
    const nowMs = this.now();
    const iat = Math.floor(nowMs / 1000);
    const claims: TokenClaims = {
      iss: TOKEN_ISSUER,
      sub: subject,
      aud: REGISTRY_SERVICE,
      exp: iat + this.ttlSeconds,
      nbf: iat - 1,
      iat,
      jti: randomBytes(12).toString('base64url'),
      access,
      ...(apiTokenId ? { tid: apiTokenId } : {}),
    };
    const token = signJwt(claims, this.keys.current());
    return { token, access_token: token, expires_in: this.ttlSeconds, issued_at: new Date(iat * 1000).toISOString() };
  }

  /** The claims of a token signed by a current or previous key; throws JwtError otherwise. */
  verify(token: string): TokenClaims {
    const nowSeconds = Math.floor(this.now() / 1000);
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.exp > nowSeconds) return hit;
      this.verified.delete(token);
    }
    const claims = verifyJwt(token, {
      key: (kid) => this.keys.key(kid),
      issuer: TOKEN_ISSUER,
      audience: REGISTRY_SERVICE,
      now: nowSeconds,
      leeway: 5,
    });
    if (this.verified.size >= CACHE_MAX) {
      for (const [t, c] of this.verified) if (c.exp <= nowSeconds) this.verified.delete(t);
      // Still full: the oldest quarter goes (insertion order), not everything.
      let drop = this.verified.size - Math.floor((CACHE_MAX * 3) / 4);
      for (const t of this.verified.keys()) {
        if (drop-- <= 0) break;
        this.verified.delete(t);
      }
    }
    this.verified.set(token, claims);
    return claims;
  }
}
