import { MemoryLoginAttemptStore } from '@wharf/registry-core';
import { describe, expect, it } from 'vitest';
import { LoginThrottle, type ThrottleRule } from '../../src/security/domain/throttle';

/** A throttle on a memory store and a clock the test moves. */
function throttle(rules?: ThrottleRule[]) {
  const clock = { now: 1_000_000 };
  const t = new LoginThrottle(new MemoryLoginAttemptStore(), rules, () => clock.now);
  /** One login attempt: 'refused' (429 before any check), else the outcome given. */
  const attempt = async (user: string | null, address: string, outcome: 'right' | 'wrong'): Promise<'refused' | 'right' | 'wrong'> => {
    const decision = await t.begin(user, address);
    if (decision.retryAfter !== null) return 'refused';
    await (outcome === 'right' ? decision.attempt.succeeded() : decision.attempt.failed());
    return outcome;
  };
  const retryAfter = async (user: string | null, address: string) => (await t.begin(user, address)).retryAfter;
  return { t, clock, attempt, retryAfter };
}

describe('LoginThrottle', () => {
  it('refuses the tenth rapid failure of one user from one address, with a Retry-After', async () => {
    const { clock, attempt, retryAfter } = throttle();
    for (let i = 1; i <= 9; i++) {
      expect(await attempt('alice', '10.0.0.1', 'wrong'), `attempt ${i}`).toBe('wrong');
      clock.now += 100;
    }
    const wait = await retryAfter('alice', '10.0.0.1');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // Even the right password is refused now (a guesser learns nothing from a right guess).
    expect(await attempt('alice', '10.0.0.1', 'right')).toBe('refused');
    // That user from elsewhere is not refused.
    expect(await attempt('alice', '10.0.0.2', 'right')).toBe('right');
    // After the window the user may try again.
    clock.now += 61_000;
    expect(await attempt('alice', '10.0.0.1', 'right')).toBe('right');
  });

  it('a user locked out by failures does not lock out another user from the same address', async () => {
    const { attempt } = throttle();
    for (let i = 0; i < 40; i++) await attempt('alice', '203.0.113.5', 'wrong');
    expect(await attempt('alice', '203.0.113.5', 'right')).toBe('refused');
    expect(await attempt('bob', '203.0.113.5', 'right')).toBe('right');
    expect(await attempt('carol', '203.0.113.5', 'wrong')).toBe('wrong');
  });

  it('counts failures per address across users (password spraying): strangers from it wait', async () => {
    const { clock, attempt } = throttle();
    for (let i = 0; i < 30; i++) {
      expect(await attempt(`user${i}`, '10.0.0.9', 'wrong')).toBe('wrong');
      clock.now += 10;
    }
    expect(await attempt('someone-new', '10.0.0.9', 'right')).toBe('refused');
    expect(await attempt('someone-new', '10.0.0.10', 'right')).toBe('right');
    clock.now += 61_000;
    expect(await attempt('someone-new', '10.0.0.9', 'right')).toBe('right');
  });

  it("a correct password is not blocked by other users' failures from its address once it logged in from there", async () => {
    // The case: behind one address (a NAT, a proxy), 30 failures of others refused the administrator too.
    const { clock, attempt } = throttle();
    expect(await attempt('admin', '10.0.0.9', 'right')).toBe('right');
    clock.now += 3_600_000;
    for (let i = 0; i < 60; i++) await attempt(`user${i}`, '10.0.0.9', 'wrong');
    expect(await attempt('brand-new', '10.0.0.9', 'right')).toBe('refused');
    expect(await attempt('admin', '10.0.0.9', 'right')).toBe('right');
    // Its own failures still count, though: the known user from that address gets nine.
    for (let i = 1; i <= 9; i++) expect(await attempt('admin', '10.0.0.9', 'wrong'), `attempt ${i}`).toBe('wrong');
    expect(await attempt('admin', '10.0.0.9', 'right')).toBe('refused');
  });

  it('counts failures per user across addresses (distributed guessing), except from addresses the user logged in from', async () => {
    const { clock, attempt } = throttle();
    expect(await attempt('admin', '192.0.2.50', 'right')).toBe('right');
    clock.now += 1000;
    for (let i = 0; i < 100; i++) await attempt('admin', `10.1.${i >> 8}.${i & 255}`, 'wrong');
    expect(await attempt('admin', '192.0.2.1', 'right')).toBe('refused');
    expect(await attempt('bob', '192.0.2.1', 'right')).toBe('right');
    expect(await attempt('admin', '192.0.2.50', 'right')).toBe('right');
  });

  it('a success clears that user-address pair only', async () => {
    const { attempt } = throttle();
    for (let i = 0; i < 8; i++) await attempt('alice', 'a', 'wrong');
    expect(await attempt('alice', 'a', 'right')).toBe('right');
    for (let i = 0; i < 8; i++) await attempt('alice', 'a', 'wrong');
    expect(await attempt('alice', 'a', 'wrong')).toBe('wrong');
    expect(await attempt('alice', 'a', 'right')).toBe('refused');
  });

  it('user names are compared case-insensitively (no bypass by case)', async () => {
    const { attempt } = throttle();
    for (let i = 0; i < 9; i++) await attempt(i % 2 ? 'Alice' : 'ALICE', 'a', 'wrong');
    expect(await attempt('alice', 'a', 'right')).toBe('refused');
  });

  it('one address in any spelling is one address; IPv6 counts per /64', async () => {
    const { attempt } = throttle();
    for (let i = 0; i < 9; i++) await attempt('alice', i % 2 ? '::ffff:192.0.2.7' : '192.0.2.7', 'wrong');
    expect(await attempt('alice', '::FFFF:c000:207', 'right')).toBe('refused');
    // A client rotating through its /64 is still one client; the next /64 is someone else.
    for (let i = 0; i < 9; i++) await attempt('bob', `2001:db8:1:2::${(i + 1).toString(16)}`, 'wrong');
    expect(await attempt('bob', '2001:db8:1:2:ffff:ffff:ffff:ffff', 'right')).toBe('refused');
    expect(await attempt('bob', '2001:db8:1:3::1', 'right')).toBe('right');
  });

  it('attempts under way count, so parallel guesses cannot outrun the limit', async () => {
    const { t } = throttle();
    const decisions = await Promise.all(Array.from({ length: 20 }, () => t.begin('alice', '10.0.0.1')));
    const allowed = decisions.filter((d) => d.retryAfter === null);
    expect(allowed).toHaveLength(9);
    // Those nine end as failures: still nine on record, the tenth refused.
    for (const d of allowed) if (d.retryAfter === null) await d.attempt.failed();
    expect((await t.begin('alice', '10.0.0.1')).retryAfter).not.toBeNull();
  });

  it('a known user with no failures from its address is not refused for requests in parallel (Basic on every request)', async () => {
    const { t, attempt } = throttle();
    expect(await attempt('alice', '10.0.0.1', 'right')).toBe('right');
    const decisions = await Promise.all(Array.from({ length: 20 }, () => t.begin('alice', '10.0.0.1')));
    expect(decisions.filter((d) => d.retryAfter === null)).toHaveLength(20);
    for (const d of decisions) if (d.retryAfter === null) await d.attempt.succeeded();
    // Once that pair has a failure on record, attempts under way count again.
    expect(await attempt('alice', '10.0.0.1', 'wrong')).toBe('wrong');
    const guarded = await Promise.all(Array.from({ length: 20 }, () => t.begin('alice', '10.0.0.1')));
    expect(guarded.filter((d) => d.retryAfter === null)).toHaveLength(8);
  });

  it('an abandoned attempt (the check itself failed) frees its place and counts as nothing', async () => {
    const { t, attempt } = throttle([{ name: 'user-address', maxFailures: 1, windowMs: 60_000 }]);
    const first = await t.begin('alice', 'a');
    expect((await t.begin('alice', 'a')).retryAfter).not.toBeNull();
    if (first.retryAfter === null) first.attempt.abandoned();
    expect(await attempt('alice', 'a', 'wrong')).toBe('wrong');
    expect(await attempt('alice', 'a', 'right')).toBe('refused');
  });

  it('without a user only the address rule applies', async () => {
    const { attempt } = throttle([
      { name: 'address', maxFailures: 2, windowMs: 60_000 },
      { name: 'user', maxFailures: 1, windowMs: 60_000 },
    ]);
    expect(await attempt(null, 'x', 'wrong')).toBe('wrong');
    expect(await attempt(null, 'x', 'wrong')).toBe('wrong');
    expect(await attempt(null, 'x', 'wrong')).toBe('refused');
    expect(await attempt(null, 'y', 'wrong')).toBe('wrong');
  });
});
