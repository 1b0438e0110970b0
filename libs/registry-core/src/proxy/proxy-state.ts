import type { ProxyCountersJson } from '@wharf/api-types';
import type { RateLimitInfo, UpstreamRequestKind } from '../upstream';

/** The counters the proxy's status reports, with a count for every kind of upstream request. */
export interface ProxyCounters extends ProxyCountersJson {
  upstreamRequests: Record<UpstreamRequestKind, number>;
}

const MIN_BLOCK_MS = 15_000;
const MAX_BLOCK_MS = 10 * 60_000;

/**
 * What one proxy repository knows about its upstream and its cache traffic. Kept across
 * configuration updates (the repository instance is rebuilt, this is not).
 */
export class ProxyState {
  readonly counters: ProxyCounters = {
    cacheHits: 0,
    cacheMisses: 0,
    bytesFromCache: 0,
    bytesFromUpstream: 0,
    staleServed: 0,
    upstreamFailures: 0,
    upstreamRequests: { 'manifest-head': 0, 'manifest-get': 0, 'blob-get': 0, token: 0 },
  };
  lastSuccessAt: Date | undefined;
  lastFailure: { at: Date; message: string } | undefined;
  rateLimit: RateLimitInfo | undefined;
  /** Blob fills this proxy started that have not settled yet (from the upstream request on). */
  fillsInFlight = 0;
  private blockedUntil = 0;
  private backoff = MIN_BLOCK_MS;
  /** Upstream 404s, by `image:reference`, until their expiry (epoch ms). */
  private readonly negative = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  countRequest(kind: UpstreamRequestKind): void {
    this.counters.upstreamRequests[kind] += 1;
  }

  succeeded(): void {
    this.lastSuccessAt = new Date(this.now());
    this.backoff = MIN_BLOCK_MS;
    this.blockedUntil = 0;
  }

  /** A failure of the upstream itself (unreachable, timeout, 5xx): with auto-block, stop calling it for a growing while. */
  failed(message: string, autoBlock: boolean, blockable: boolean): void {
    this.counters.upstreamFailures += 1;
    this.lastFailure = { at: new Date(this.now()), message };
    if (autoBlock && blockable) {
      this.blockedUntil = this.now() + this.backoff;
      this.backoff = Math.min(this.backoff * 2, MAX_BLOCK_MS);
    }
  }

  autoBlockedUntil(): Date | undefined {
    return this.blockedUntil > this.now() ? new Date(this.blockedUntil) : undefined;
  }

  rememberMissing(key: string, ttlMinutes: number): void {
    if (ttlMinutes === 0) return;
    if (this.negative.size > 10_000) this.negative.clear();
    this.negative.set(key, ttlMinutes < 0 ? Number.POSITIVE_INFINITY : this.now() + ttlMinutes * 60_000);
  }

  isKnownMissing(key: string): boolean {
    const until = this.negative.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.negative.delete(key);
    return false;
  }

  forgetMissing(): void {
    this.negative.clear();
  }
}
