import { describe, expect, it } from 'vitest';
import { type ManifestSpec, type SpecTable, catalogManifest, numberOf } from '../../test/manifest-specs';
import { type CleanupCriteria, planCleanup, planTagRemoval, validateCriteria } from './cleanup-policy';

const NOW = new Date('2030-06-30T00:00:00Z');
const TABLE: SpecTable = { now: NOW.getTime(), unitMs: 24 * 60 * 60 * 1000, image: 'app', age: 100 };
const m = (spec: ManifestSpec) => catalogManifest(spec, TABLE);

/** The plan as short strings: `image:tag` for tags, `image@N` for manifests (N = digest number). */
function plan(manifests: ManifestSpec[], policies: CleanupCriteria[]) {
  const p = planCleanup(manifests.map(m), policies, NOW);
  return {
    tags: p.tags.map((t) => `${t.image}:${t.tag}`).sort(),
    manifests: p.manifests.map((x) => `${x.image}@${numberOf(x.digest)}`).sort(),
  };
}

describe('planCleanup: each criterion', () => {
  const content: ManifestSpec[] = [
    { digest: 1, tags: [['v1', 40]], pulled: 40 },
    { digest: 2, tags: [['v2', 20]], pulled: 2 },
    { digest: 3, tags: [['v3', 5]], pulled: 35 },
    { digest: 4, tags: [['pr-7', 10]] }, // never pulled: counts from when it was stored (100 days)
    { image: 'tools/jq', digest: 5, tags: [['1.7', 60]], pulled: 1 },
  ];

  it.each<[string, CleanupCriteria, string[], string[]]>([
    ['lastBlobUpdated: tags that last moved more than N days ago', { lastBlobUpdated: 30 }, ['app:v1', 'tools/jq:1.7'], ['app@1', 'tools/jq@5']],
    ['lastDownloaded: last pulled (or, never pulled, stored) more than N days ago', { lastDownloaded: 30 }, ['app:pr-7', 'app:v1', 'app:v3'], ['app@1', 'app@3', 'app@4']],
    ['regex: a whole-name match on image:tag', { regex: 'app:pr-.*' }, ['app:pr-7'], ['app@4']],
    ['regex is anchored: a partial match selects nothing', { regex: 'pr-' }, [], []],
    ['regex over the image part', { regex: 'tools/.*' }, ['tools/jq:1.7'], ['tools/jq@5']],
    ['criteria combine with AND', { lastBlobUpdated: 15, lastDownloaded: 30 }, ['app:v1'], ['app@1']],
    ['AND with regex', { regex: 'app:v.*', lastDownloaded: 30 }, ['app:v1', 'app:v3'], ['app@1', 'app@3']],
    ['retain alone: everything but the N newest tags of each image', { retain: 2 }, ['app:v1', 'app:v2'], ['app@1', 'app@2']],
    ['retain with a criterion: the N newest are spared even when they match', { retain: 1, lastDownloaded: 30 }, ['app:pr-7', 'app:v1'], ['app@1', 'app@4']],
    ['retain larger than the tag count selects nothing', { retain: 10 }, [], []],
  ])('%s', (_name, policy, tags, manifests) => {
    expect(plan(content, [policy])).toEqual({ tags, manifests });
  });

  it('a policy selecting nothing plans nothing', () => {
    expect(plan(content, [{ lastBlobUpdated: 1000 }])).toEqual({ tags: [], manifests: [] });
  });

  it('several policies: the union of what each selects', () => {
    expect(plan(content, [{ regex: 'app:pr-.*' }, { lastBlobUpdated: 50 }])).toEqual({
      tags: ['app:pr-7', 'tools/jq:1.7'],
      manifests: ['app@4', 'tools/jq@5'],
    });
  });

  it('retain orders by last update, newest first, ties by name', () => {
    const tied: ManifestSpec[] = [
      { digest: 1, tags: [['b', 5]] },
      { digest: 2, tags: [['a', 5]] },
      { digest: 3, tags: [['c', 1]] },
    ];
    expect(plan(tied, [{ retain: 2 }])).toEqual({ tags: ['app:b'], manifests: ['app@1'] });
  });
});

describe('planCleanup: manifests and what keeps them', () => {
  it('a manifest with another tag left stays; only the selected tag goes', () => {
    expect(plan([{ digest: 1, tags: [['old', 90], ['stable', 1]] }], [{ lastBlobUpdated: 30 }])).toEqual({ tags: ['app:old'], manifests: [] });
  });

  it('removing an index tag removes the index and its platform manifests', () => {
    const content: ManifestSpec[] = [
      { digest: 10, tags: [['v1', 90]], children: [11, 12] },
      { digest: 11, blobs: [1] },
      { digest: 12, blobs: [2] },
    ];
    expect(plan(content, [{ lastBlobUpdated: 30 }])).toEqual({ tags: ['app:v1'], manifests: ['app@10', 'app@11', 'app@12'] });
  });

  it('a platform manifest another kept index shares stays', () => {
    const content: ManifestSpec[] = [
      { digest: 10, tags: [['v1', 90]], children: [11, 12] },
      { digest: 20, tags: [['v2', 1]], children: [12] },
      { digest: 11 },
      { digest: 12 },
    ];
    expect(plan(content, [{ lastBlobUpdated: 30 }])).toEqual({ tags: ['app:v1'], manifests: ['app@10', 'app@11'] });
  });

  it('referrers (signatures) go with the image they describe, and keep it while they are tagged', () => {
    const content: ManifestSpec[] = [
      { digest: 1, tags: [['v1', 90]] },
      { digest: 2, subject: 1 },
      { digest: 3, subject: 2 },
    ];
    expect(plan(content, [{ lastBlobUpdated: 30 }])).toEqual({ tags: ['app:v1'], manifests: ['app@1', 'app@2', 'app@3'] });
    const taggedReferrer: ManifestSpec[] = [
      { digest: 1, tags: [['v1', 90]] },
      { digest: 2, subject: 1, tags: [['sig', 1]] },
    ];
    expect(plan(taggedReferrer, [{ lastBlobUpdated: 30 }])).toEqual({ tags: ['app:v1'], manifests: [] });
  });

  it('untagged manifests stay unless a policy selects them', () => {
    const content: ManifestSpec[] = [
      { digest: 1, tags: [['v1', 1]] },
      { digest: 2, created: 90 },
    ];
    expect(plan(content, [{ lastBlobUpdated: 30 }])).toEqual({ tags: [], manifests: [] });
  });
});

describe('planCleanup: untagged', () => {
  const content: ManifestSpec[] = [
    { digest: 1, tags: [['v1', 1]], children: [2] },
    { digest: 2, created: 90 }, // a child of a tagged index: kept
    { digest: 3, created: 90 }, // left behind when a tag moved: selected
    { digest: 4, created: 1 }, // recent: selected unless an age criterion says otherwise
    { digest: 5, created: 90, subject: 1 }, // a referrer of a tagged image: kept
    { digest: 6, created: 90, subject: 3 }, // a referrer of an untagged one: goes with it
    { digest: 7, created: 90, children: [8] }, // an untagged index and its child: both selected
    { digest: 8, created: 90 },
    { image: 'other', digest: 9, created: 90, pulled: 2 },
  ];

  it.each<[string, CleanupCriteria, string[]]>([
    ['untagged alone', { untagged: true }, ['app@3', 'app@4', 'app@6', 'app@7', 'app@8', 'other@9']],
    ['with an age', { untagged: true, lastBlobUpdated: 30 }, ['app@3', 'app@6', 'app@7', 'app@8', 'other@9']],
    ['with last pulled', { untagged: true, lastDownloaded: 30 }, ['app@3', 'app@6', 'app@7', 'app@8']],
    ['with a regex over image@digest', { untagged: true, regex: 'other@.*' }, ['other@9']],
  ])('%s', (_name, policy, manifests) => {
    expect(plan(content, [policy])).toEqual({ tags: [], manifests });
  });

  it('an untagged policy selects no tag, whatever its other criteria', () => {
    expect(plan(content, [{ untagged: true, regex: 'app:v1|other@.*' }])).toEqual({ tags: [], manifests: ['other@9'] });
  });

  it('a tag policy and an untagged policy together', () => {
    expect(plan(content, [{ regex: 'app:v1' }, { untagged: true, regex: 'other@.*' }])).toEqual({ tags: ['app:v1'], manifests: ['app@1', 'app@2', 'app@5', 'other@9'] });
  });
});

describe('planTagRemoval: what deleting a tag takes with it', () => {
  /** The manifests removing `tags` (`image:tag`) removes, as `image@N`. */
  function removal(manifests: ManifestSpec[], tags: string[]): string[] {
    const content = manifests.map(m);
    const keys = tags.map((t) => {
      const [image, tag] = t.split(':') as [string, string];
      return { image, tag, digest: content.find((c) => c.image === image && c.tags.some((x) => x.name === tag))!.digest };
    });
    return planTagRemoval(content, keys)
      .manifests.map((x) => `${x.image}@${Number(x.digest.slice('sha256:'.length))}`)
      .sort();
  }

  it.each<[string, ManifestSpec[], string[], string[]]>([
    ['the manifest only that tag kept', [{ digest: 1, tags: [['v1', 1]] }, { digest: 2, tags: [['v2', 1]] }], ['app:v1'], ['app@1']],
    ['a manifest another tag points at stays', [{ digest: 1, tags: [['v1', 1], ['latest', 1]] }], ['app:v1'], []],
    ['both tags of one manifest: it goes', [{ digest: 1, tags: [['v1', 1], ['latest', 1]] }], ['app:v1', 'app:latest'], ['app@1']],
    ['an index with its platform manifests', [{ digest: 10, tags: [['v1', 1]], children: [11, 12] }, { digest: 11 }, { digest: 12 }], ['app:v1'], ['app@10', 'app@11', 'app@12']],
    [
      'a platform manifest another tagged index lists stays',
      [{ digest: 10, tags: [['v1', 1]], children: [11, 12] }, { digest: 20, tags: [['v2', 1]], children: [12] }, { digest: 11 }, { digest: 12 }],
      ['app:v1'],
      ['app@10', 'app@11'],
    ],
    ['untagged referrers go with the image they describe', [{ digest: 1, tags: [['v1', 1]] }, { digest: 2, subject: 1 }, { digest: 3, subject: 2 }], ['app:v1'], ['app@1', 'app@2', 'app@3']],
    ['a tagged referrer keeps its subject', [{ digest: 1, tags: [['v1', 1]] }, { digest: 2, subject: 1, tags: [['sig', 1]] }], ['app:v1'], []],
    ['untagged manifests that were not kept before stay', [{ digest: 1, tags: [['v1', 1]] }, { digest: 2 }], ['app:v1'], ['app@1']],
    ['another image is not touched', [{ digest: 1, tags: [['v1', 1]] }, { image: 'web', digest: 1, tags: [['v1', 1]] }], ['app:v1'], ['app@1']],
  ])('%s', (_name, content, tags, expected) => {
    expect(removal(content, tags)).toEqual(expected);
  });
});

describe('validateCriteria', () => {
  it.each<[CleanupCriteria, string | null]>([
    [{ lastBlobUpdated: 30 }, null],
    [{ untagged: true }, null],
    [{ retain: 10 }, null],
    [{}, 'at least one criterion'],
    [{ untagged: false }, 'at least one criterion'],
    [{ lastBlobUpdated: 0 }, 'lastBlobUpdated must be a whole number of at least 1'],
    [{ lastDownloaded: 1.5 }, 'lastDownloaded must be a whole number'],
    [{ retain: -1 }, 'retain must be'],
    [{ regex: '(' }, 'is not a supported regular expression'],
    [{ regex: '(a)\\1' }, 'is not a supported regular expression'],
    [{ regex: 'x'.repeat(1001) }, 'at most 1000 are accepted'],
    [{ regex: '' }, 'regex must not be empty'],
    [{ untagged: true, retain: 3 }, 'retain applies to tags'],
  ])('%j', (criteria, error) => {
    if (error === null) expect(() => validateCriteria(criteria)).not.toThrow();
    else expect(() => validateCriteria(criteria)).toThrow(error);
  });
});
