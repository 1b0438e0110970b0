import { afterEach, describe, expect, it } from 'vitest';
import { BufferReclaimer } from '../../src/runtime/buffer-reclaimer';

const MiB = 1024 * 1024;

describe('BufferReclaimer', () => {
  let reclaimer: BufferReclaimer | undefined;
  afterEach(() => reclaimer?.stop());

  it('collects once the ArrayBuffer total grew by the threshold, and measures growth from the last low', () => {
    const cases: { total: number; collects: boolean }[] = [
      { total: 10 * MiB, collects: false }, // baseline
      { total: 17 * MiB, collects: false }, // +7
      { total: 4 * MiB, collects: false }, // fell: the baseline follows it down
      { total: 11 * MiB, collects: false }, // +7 from the new low
      { total: 12 * MiB, collects: true }, // +8: collect (the total after it becomes the baseline)
      { total: 13 * MiB, collects: false },
    ];
    let total = cases[0]!.total;
    const runs: string[] = [];
    reclaimer = new BufferReclaimer({
      thresholdBytes: 8 * MiB,
      intervalMs: 60_000,
      arrayBufferBytes: () => total,
      collect: ({ type }) => runs.push(type),
    });
    for (const [i, c] of cases.entries()) {
      total = c.total;
      const before = runs.length;
      reclaimer.check();
      expect(runs.length - before, `step ${i}: ${c.total / MiB} MiB`).toBe(c.collects ? 1 : 0);
    }
    expect(runs).toEqual(['minor']);
    expect(reclaimer.collections).toBe(1);
  });

  it("frees dead socket-sized buffers with V8's real young-generation collector", () => {
    reclaimer = new BufferReclaimer({ thresholdBytes: 8 * MiB, intervalMs: 60_000 });
    const before = process.memoryUsage().arrayBuffers;
    // 32 MiB of 64 KiB buffers that die at once, as a streamed request body leaves them.
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += Buffer.allocUnsafeSlow(64 * 1024).fill(i).length;
    expect(sum).toBe(32 * MiB);
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(24 * MiB);
    reclaimer.check();
    expect(reclaimer.collections).toBe(1);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * MiB);
  });
});
