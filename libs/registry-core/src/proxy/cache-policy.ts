import type { ProxyConfig } from '../repository-config';

/** Tag max ages: the first matching `tagMaxAge` tier (whole-tag regex), else `metadataMaxAge`. Minutes; -1 = never expires. */
export class CachePolicy {
  private readonly tiers: { pattern: RegExp; maxAge: number }[];

  constructor(private readonly proxy: ProxyConfig['proxy']) {
    this.tiers = proxy.tagMaxAge.map((t) => ({ pattern: new RegExp(`^(?:${t.pattern})$`), maxAge: t.maxAge }));
  }

  maxAgeMinutes(tag: string): number {
    for (const tier of this.tiers) if (tier.pattern.test(tag)) return tier.maxAge;
    return this.proxy.metadataMaxAge;
  }

  isFresh(tag: string, verifiedAt: Date | undefined, now: number): boolean {
    if (!verifiedAt) return false;
    const maxAge = this.maxAgeMinutes(tag);
    if (maxAge < 0) return true;
    return now - verifiedAt.getTime() < maxAge * 60_000;
  }
}
