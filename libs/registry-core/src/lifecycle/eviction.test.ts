import { describe, expect, it } from 'vitest';
import { type ManifestSpec, type SpecTable, catalogManifest, numberOf } from '../../test/manifest-specs';
import { planEviction } from './eviction';

const NOW = Date.parse('2030-06-30T00:00:00Z');
const TABLE: SpecTable = { now: NOW, unitMs: 3600_000, image: 'library/busybox', age: 1000 };
/** Blob N has size N * 1000, unless it is listed here (not fetched yet). */
const NOT_FETCHED = new Set([999]);
const m = (spec: ManifestSpec) => catalogManifest(spec, TABLE);

function evict(specs: ManifestSpec[], limit: number) {
  const manifests = specs.map(m);
  const sizes = new Map<string, number>();
  for (const x of manifests) {
    sizes.set(x.digest, 100);
    for (const r of x.references) if (r.includes('b') && !NOT_FETCHED.has(Number(r.split('b')[1]))) sizes.set(r, Number(r.split('b')[1]) * 1000);
  }
  const plan = planEviction(manifests, sizes, limit);
  return {
    tags: plan.tags.map((t) => `${t.image}:${t.tag}`).sort(),
    manifests: plan.manifests.map((x) => numberOf(x.digest)).sort((a, b) => a - b),
    bytesBefore: plan.bytesBefore,
    bytesAfter: plan.bytesAfter,
  };
}

describe('planEviction', () => {
  const images: ManifestSpec[] = [
    { digest: 1, tags: ['old'], pulled: 30, blobs: [1, 2] }, // 3,100 bytes
    { digest: 2, tags: ['mid'], pulled: 20, blobs: [1, 3] }, // shares blob 1 with 'old'
    { digest: 3, tags: ['new'], pulled: 10, blobs: [4] },
    { digest: 4, tags: ['never'], created: 5, blobs: [5] }, // never pulled: counts from when it was cached (5 h ago)
  ];
  // total: manifests 400 + blobs 1000+2000+3000+4000+5000 = 15,400

  it('keeps everything that fits', () => {
    expect(evict(images, 15_400)).toEqual({ tags: [], manifests: [], bytesBefore: 15_400, bytesAfter: 15_400 });
  });

  it('evicts the least recently pulled images until the rest fits', () => {
    // kept newest first: never (5,100), new (4,100), mid (4,100 = 100 + 1000 + 3000) -> 13,300; old would add 2,100
    expect(evict(images, 15_000)).toEqual({ tags: ['library/busybox:old'], manifests: [1], bytesBefore: 15_400, bytesAfter: 13_300 });
    expect(evict(images, 13_299)).toEqual({
      tags: ['library/busybox:mid', 'library/busybox:old'],
      manifests: [1, 2],
      bytesBefore: 15_400,
      bytesAfter: 9_200,
    });
  });

  it('stops at the first image that does not fit (least recently pulled go first, whatever their size)', () => {
    const sized: ManifestSpec[] = [
      { digest: 1, tags: ['small-old'], pulled: 30, blobs: [1] },
      { digest: 2, tags: ['big-new'], pulled: 1, blobs: [9] },
      { digest: 3, tags: ['small-mid'], pulled: 10, blobs: [2] },
    ];
    expect(evict(sized, 9_100 + 2_100).manifests).toEqual([1]);
    expect(evict(sized, 9_000).manifests).toEqual([1, 2, 3]);
  });

  it('a limit of 0 evicts everything', () => {
    expect(evict(images, 0).manifests).toEqual([1, 2, 3, 4]);
  });

  it('an index goes with its platform manifests; recency counts any member pulled', () => {
    const multi: ManifestSpec[] = [
      { digest: 10, tags: ['multi'], pulled: 50, children: [11, 12] },
      { digest: 11, pulled: 1, blobs: [1] },
      { digest: 12, blobs: [2] },
      { digest: 20, tags: ['single'], pulled: 5, blobs: [3] },
    ];
    expect(evict(multi, 3_299).manifests).toEqual([10, 11, 12, 20]);
    expect(evict(multi, 3_300).manifests).toEqual([20]);
  });

  it('an image pulled by digest only (no tag) is evicted like a tagged one, with its referrers', () => {
    const byDigest: ManifestSpec[] = [
      { digest: 1, pulled: 40, blobs: [1] },
      { digest: 2, subject: 1 },
      { digest: 3, tags: ['t'], pulled: 1, blobs: [2] },
    ];
    expect(evict(byDigest, 2_100).manifests).toEqual([1, 2]);
  });

  it('blobs not fetched yet cost nothing', () => {
    expect(evict([{ digest: 1, tags: ['a'], pulled: 1, blobs: [999, 1] }], 1_100)).toEqual({ tags: [], manifests: [], bytesBefore: 1_100, bytesAfter: 1_100 });
  });
});
