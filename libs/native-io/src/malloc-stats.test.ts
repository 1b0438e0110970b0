import { describe, expect, it } from 'vitest';
import { mallocStats, nativeIoAvailable, releaseFreeMemory } from './index';

describe.skipIf(!nativeIoAvailable())('mallocStats (glibc mallinfo2)', () => {
  it("reports malloc's arena, what is in use and free, in bytes", () => {
    const stats = mallocStats()!;
    expect(stats.arena).toBeGreaterThan(0);
    expect(stats.inUse).toBeGreaterThan(0);
    expect(stats.inUse).toBeLessThanOrEqual(stats.arena + stats.mmapped);
    expect(stats.free).toBeLessThanOrEqual(stats.arena);
    expect(stats.releasable).toBeLessThanOrEqual(stats.free);
  });

  it('sees a large native allocation in its own mapping, and its release', () => {
    const before = mallocStats()!.mmapped;
    // Past the mmap threshold (128 KiB by default, and as Wharf's runtime fixes it): a mapping of its own.
    let big: Buffer | null = Buffer.allocUnsafeSlow(8 * 1024 * 1024);
    big.fill(1);
    expect(mallocStats()!.mmapped - before).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    big = null;
    releaseFreeMemory();
  });
});
