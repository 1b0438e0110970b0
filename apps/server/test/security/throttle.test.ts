import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../src/security/domain/throttle';

describe('LoginThrottle', () => {
  it('refuses the tenth rapid failure of one user from one address, with a Retry-After', () => {
    let now = 1_000_000;
    const t = new LoginThrottle(undefined, () => now);
    for (let i = 1; i <= 9; i++) {
      expect(t.check('alice', '10.0.0.1'), `attempt ${i}`).toBeNull();
      t.failure('alice', '10.0.0.1');
      now += 100;
    }
    const wait = t.check('alice', '10.0.0.1');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // Other users from that address, and that user from elsewhere, are not refused yet.
    expect(t.check('bob', '10.0.0.1')).toBeNull();
    expect(t.check('alice', '10.0.0.2')).toBeNull();
    // After the window the user may try again.
    now += 61_000;
    expect(t.check('alice', '10.0.0.1')).toBeNull();
  });

  it('counts failures per address across users (password spraying)', () => {
    let now = 0;
    const t = new LoginThrottle(undefined, () => now);
    for (let i = 0; i < 30; i++) {
      expect(t.check(`user${i}`, '10.0.0.9')).toBeNull();
      t.failure(`user${i}`, '10.0.0.9');
      now += 10;
    }
    expect(t.check('someone-new', '10.0.0.9')).not.toBeNull();
    expect(t.check('someone-new', '10.0.0.10')).toBeNull();
  });

  it('counts failures per user across addresses (distributed guessing)', () => {
    const t = new LoginThrottle(undefined, () => 0);
    for (let i = 0; i < 100; i++) t.failure('admin', `10.1.${i >> 8}.${i & 255}`);
    expect(t.check('admin', '192.0.2.1')).not.toBeNull();
    expect(t.check('bob', '192.0.2.1')).toBeNull();
  });

  it('a success clears that user-address pair only', () => {
    const t = new LoginThrottle(undefined, () => 0);
    for (let i = 0; i < 8; i++) t.failure('alice', 'a');
    t.success('alice', 'a');
    for (let i = 0; i < 8; i++) t.failure('alice', 'a');
    expect(t.check('alice', 'a')).toBeNull();
    t.failure('alice', 'a');
    expect(t.check('alice', 'a')).not.toBeNull();
  });

  it('user names are compared case-insensitively (no bypass by case)', () => {
    const t = new LoginThrottle(undefined, () => 0);
    for (let i = 0; i < 9; i++) t.failure(i % 2 ? 'Alice' : 'ALICE', 'a');
    expect(t.check('alice', 'a')).not.toBeNull();
  });

  it('stays bounded under a flood of distinct keys', () => {
    let now = 0;
    const t = new LoginThrottle([{ name: 'user-address', maxFailures: 3, windowMs: 1000 }], () => now);
    for (let i = 0; i < 50_000; i++) {
      t.failure(`u${i}`, 'x');
      now += 1;
    }
    expect((t as unknown as { failures: Map<string, number[]> }).failures.size).toBeLessThanOrEqual(20_001);
  });
});
