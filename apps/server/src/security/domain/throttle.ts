import { type LoginAttemptStore, canonicalAddress, ipv6Groups } from '@wharf/registry-core';

/**
 * Throttling of failed logins, per user and per client address. Each rule counts, per key, the failures
 * of a sliding window; a key that holds `maxFailures` of them refuses further attempts (429 +
 * Retry-After) before any password is checked, so a throttled guesser learns nothing, not even from a
 * right guess. Rules:
 *
 * - `user-address`: one user from one address (tight: the tenth rapid failure is refused). This is
 *   what stops a user's own wrong password or a guesser aiming at one account.
 * - `address`: one address, any user (password spraying).
 * - `user`: one user, any address (distributed guessing; loose).
 *
 * The last two count what OTHER people did, so they do not apply to a user who logged in successfully
 * from that address within KNOWN_CLIENT_MS: behind a NAT, a reverse proxy without trusted forwarding
 * headers, or while someone sprays an address, the users who work from it keep working; everyone
 * else waits for the window. Addresses are compared as canonicalAddress() gives them, IPv6 by its /64
 * (one host's share of a network, which a client can rotate through at will).
 *
 * The counts live in a LoginAttemptStore (memory in one process, the database for replicas). Attempts
 * still being checked count as failures until they end, so parallel guesses cannot outrun the limit;
 * except for a user known at the address with no failures there (its own client's parallel requests).
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

/** How long a successful login makes its user known at its address. */
export const KNOWN_CLIENT_MS = 30 * 24 * 60 * 60 * 1000;
/** A known user's success is written again only after this long (it only moves the 30 days on). */
const SUCCESS_REFRESH_MS = 60 * 60 * 1000;

/** One login attempt allowed to go ahead: say how it ended (exactly once; `abandoned` when checking failed). */
export interface ThrottledAttempt {
  succeeded(): Promise<void>;
  failed(): Promise<void>;
  abandoned(): void;
}

export type ThrottleDecision = { retryAfter: number } | { retryAfter: null; attempt: ThrottledAttempt };

export class LoginThrottle {
  /** Attempts under way per key (this process). */
  private readonly pending = new Map<string, number>();
  private readonly longestWindow: number;

  constructor(
    private readonly store: LoginAttemptStore,
    private readonly rules: ThrottleRule[] = DEFAULT_THROTTLE_RULES,
    private readonly now: () => number = Date.now,
  ) {
    this.longestWindow = Math.max(0, ...rules.map((r) => r.windowMs));
  }

  /** Whether an attempt of `user` (null: no user, only the address counts) from `address` may go ahead now. */
  async begin(user: string | null, address: string): Promise<ThrottleDecision> {
    const now = this.now();
    const pair = pairKey(user, address);
    const lastSuccess = pair === null ? null : await this.store.lastSuccess(pair);
    const known = lastSuccess !== null && lastSuccess > now - KNOWN_CLIENT_MS;
    const applicable = this.rules
      .map((rule) => ({ rule, key: keyOf(rule, user, address) }))
      .filter((r): r is { rule: ThrottleRule; key: string } => r.key !== null && (!known || r.rule.name === 'user-address'));
    const recent = await this.store.failures(applicable.map(({ rule, key }) => ({ key, since: now - rule.windowMs, limit: rule.maxFailures })));
    const pairFailures = applicable.some(({ rule }, i) => rule.name === 'user-address' && recent[i]!.length > 0);
    // A user known at this address with no failures there is its own client sending requests in parallel
    // (registry clients send Basic credentials with each one): its attempts under way are not counted.
    const countUnderWay = !known || pairFailures;
    let wait = 0;
    applicable.forEach(({ rule, key }, i) => {
      const times = recent[i]!;
      const underWay = countUnderWay ? (this.pending.get(key) ?? 0) : 0;
      if (times.length + underWay < rule.maxFailures) return;
      // Free again once enough of the oldest failures have left the window (attempts under way end soon).
      const oldest = times[rule.maxFailures - 1 - underWay];
      wait = Math.max(wait, oldest === undefined ? 1000 : oldest + rule.windowMs - now);
    });
    if (wait > 0) return { retryAfter: Math.max(1, Math.ceil(wait / 1000)) };
    // Every key counts this attempt while it is checked, also keys a known client is exempt from: they are recorded.
    const keys = this.rules.map((rule) => keyOf(rule, user, address)).filter((k): k is string => k !== null);
    for (const key of keys) this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    let open = true;
    const end = () => {
      if (!open) return false;
      open = false;
      for (const key of keys) {
        const left = (this.pending.get(key) ?? 1) - 1;
        if (left > 0) this.pending.set(key, left);
        else this.pending.delete(key);
      }
      return true;
    };
    return {
      retryAfter: null,
      attempt: {
        // A right password clears the user's failures from that address (not the address's or the user's totals).
        // Registry clients send Basic credentials with every request: a success writes only what changed.
        succeeded: async () => {
          if (!end() || pair === null) return;
          if (pairFailures) await this.store.clearFailures(keyOf(USER_ADDRESS, user, address)!);
          const at = this.now();
          if (lastSuccess === null || lastSuccess < at - SUCCESS_REFRESH_MS) await this.store.addSuccess(pair, at, KNOWN_CLIENT_MS);
        },
        failed: async () => {
          if (end()) await this.store.addFailure(keys, this.now(), this.longestWindow);
        },
        abandoned: () => void end(),
      },
    };
  }
}

const USER_ADDRESS: ThrottleRule = { name: 'user-address', maxFailures: 0, windowMs: 0 };

/** The key of a user at an address, under which its successes are remembered. */
function pairKey(user: string | null, address: string): string | null {
  return user === null ? null : `known\u0000${userPart(user)}\u0000${addressPart(address)}`;
}

function keyOf(rule: ThrottleRule, user: string | null, address: string): string | null {
  const u = user === null ? null : userPart(user);
  switch (rule.name) {
    case 'user-address':
      return u === null ? null : `ua\u0000${u}\u0000${addressPart(address)}`;
    case 'address':
      return `a\u0000${addressPart(address)}`;
    case 'user':
      return u === null ? null : `u\u0000${u}`;
  }
}

function userPart(user: string): string {
  return user.slice(0, 200).toLowerCase();
}

/** IPv4 as is, IPv6 as its /64, anything else (a socket without an address) as given. */
function addressPart(address: string): string {
  const canonical = canonicalAddress(address);
  if (canonical === null) return address.slice(0, 100);
  if (!canonical.includes(':')) return canonical;
  return `${ipv6Groups(canonical)
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
