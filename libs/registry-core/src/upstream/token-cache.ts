/**
 * Bearer tokens per (realm, service, scope), reused until shortly before they expire, with
 * one fetch shared by every concurrent request that needs the same token.
 */

export interface FetchedToken {
  token: string;
  /** Lifetime in seconds from now (the token spec's expires_in, default 60). */
  expiresInSeconds: number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const MAX_ENTRIES = 1024;
const MAX_MARGIN_MS = 30_000;

/** Milliseconds a token is reused: its lifetime minus 20 % (at most 30 s) for clock and transit. */
export function tokenReuseMs(expiresInSeconds: number): number {
  const lifetime = expiresInSeconds * 1000;
  return Math.max(0, lifetime - Math.min(MAX_MARGIN_MS, lifetime * 0.2));
}

export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * A valid token for `key`: the cached one, the one being fetched, or a new fetch.
   * `stale` is a token the upstream has just refused: it is not returned again.
   */
  get(key: string, fetch: () => Promise<FetchedToken>, stale?: string): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached !== undefined) {
      if (cached.expiresAt > this.now() && cached.token !== stale) return Promise.resolve(cached.token);
      this.tokens.delete(key);
    }
    const pending = this.inflight.get(key);
    if (pending !== undefined) return pending;
    const p = fetch()
      .then((t) => {
        this.tokens.set(key, { token: t.token, expiresAt: this.now() + tokenReuseMs(t.expiresInSeconds) });
        this.prune();
        return t.token;
      })
      .finally(() => {
        if (this.inflight.get(key) === p) this.inflight.delete(key);
      });
    this.inflight.set(key, p);
    return p;
  }

  get size(): number {
    return this.tokens.size;
  }

  clear(): void {
    this.tokens.clear();
  }

  private prune(): void {
    if (this.tokens.size <= MAX_ENTRIES) return;
    const now = this.now();
    for (const [k, v] of this.tokens) if (v.expiresAt <= now) this.tokens.delete(k);
    // Still too many: drop the oldest (Map keeps insertion order).
    for (const k of this.tokens.keys()) {
      if (this.tokens.size <= MAX_ENTRIES) break;
      this.tokens.delete(k);
    }
  }
}
