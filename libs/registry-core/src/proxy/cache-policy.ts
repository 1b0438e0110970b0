import type { ProxyConfig } from '../repository-config';
import { SafeRegex } from '../safe-regex';

/**
 * Tag max ages: the first matching `tagMaxAge` tier (whole-tag regex, run by RE2: linear time), else
 * `metadataMaxAge`. Minutes; -1 = never expires.
 */
export class CachePolicy {
  private readonly tiers: { pattern: SafeRegex; maxAge: number }[] = [];
  /** Stored tiers whose pattern no longer compiles (accepted before patterns ran on RE2): never matched. */
  readonly unusable: string[] = [];

  constructor(private readonly proxy: ProxyConfig['proxy']) {
    for (const tier of proxy.tagMaxAge) {
      try {
        this.tiers.push({ pattern: SafeRegex.compile(tier.pattern), maxAge: tier.maxAge });
      } catch (err) {
        this.unusable.push((err as Error).message);
      }
    }
  }

  maxAgeMinutes(tag: string): number {
    for (const tier of this.tiers) if (tier.pattern.matches(tag)) return tier.maxAge;
    return this.proxy.metadataMaxAge;
  }

  isFresh(tag: string, verifiedAt: Date | undefined, now: number): boolean {
    if (!verifiedAt) return false;
    const maxAge = this.maxAgeMinutes(tag);
    if (maxAge < 0) return true;
    return now - verifiedAt.getTime() < maxAge * 60_000;
  }
}
