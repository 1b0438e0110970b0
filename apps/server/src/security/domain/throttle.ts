/**
 * Throttling of failed logins. Each rule keeps, per key, the times of recent failures (a sliding
 * window); when a key holds `maxFailures` failures inside the window, further attempts for it are
 * refused (429 + Retry-After) before any password is checked, so a throttled attacker learns nothing,
 * not even from a right guess. Rules: one user from one address (tight: the tenth rapid failure is
 * refused), one address whatever the user (password spraying), one user whatever the address
 * (distributed guessing; loose, so that nobody can lock a user out cheaply).
 */

export interface ThrottleRule {
  name: 'user-address' | 'address' | 'user';
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE_RULES: ThrottleRule[] = [
  { name: 'user-address', maxFailures: 9, windowMs: 60_000 },
  { name: 'address', maxFailures: 30, windowMs: 60_000 },
  { name: 'user', maxFailures: 100, windowMs: 60_000 },
];

const MAX_KEYS = 20_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly rules: ThrottleRule[] = DEFAULT_THROTTLE_RULES,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait when this attempt must be refused, null when it may go ahead. */
  check(user: string | null, address: string): number | null {
    const now = this.now();
    let wait = 0;
    for (const rule of this.rules) {
      const key = keyOf(rule, user, address);
      if (key === null) continue;
      const times = this.recent(key, rule, now);
      if (times.length >= rule.maxFailures) {
        // Free again when enough of the oldest failures have left the window.
        const oldest = times[times.length - rule.maxFailures]!;
        wait = Math.max(wait, oldest + rule.windowMs - now);
      }
    }
    return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : null;
  }

  failure(user: string | null, address: string): void {
    const now = this.now();
    if (this.failures.size > MAX_KEYS) this.prune(now);
    for (const rule of this.rules) {
      const key = keyOf(rule, user, address);
      if (key === null) continue;
      const times = this.recent(key, rule, now);
      times.push(now);
      this.failures.set(key, times);
    }
  }

  /** A right password clears the user's failures from that address (not the address's or the user's totals). */
  success(user: string, address: string): void {
    for (const rule of this.rules) {
      if (rule.name === 'user-address') {
        const key = keyOf(rule, user, address);
        if (key !== null) this.failures.delete(key);
      }
    }
  }

  private recent(key: string, rule: ThrottleRule, now: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const from = now - rule.windowMs;
    let i = 0;
    while (i < times.length && times[i]! <= from) i++;
    if (i > 0) times.splice(0, i);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }

  private prune(now: number): void {
    const longest = Math.max(...this.rules.map((r) => r.windowMs));
    for (const [key, times] of this.failures) {
      if (times.length === 0 || times[times.length - 1]! <= now - longest) this.failures.delete(key);
    }
    // Still too many (a flood of distinct keys): forget the oldest half rather than grow without bound.
    if (this.failures.size > MAX_KEYS) {
      let drop = this.failures.size / 2;
      for (const key of this.failures.keys()) {
        if (drop-- <= 0) break;
        this.failures.delete(key);
      }
    }
  }
}

function keyOf(rule: ThrottleRule, user: string | null, address: string): string | null {
  const u = user === null ? null : user.slice(0, 200).toLowerCase();
  switch (rule.name) {
    case 'user-address':
      return u === null ? null : `ua\u0000${u}\u0000${address}`;
    case 'address':
      return `a\u0000${address}`;
    case 'user':
      return u === null ? null : `u\u0000${u}`;
  }
}
