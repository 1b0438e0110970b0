import { beforeAll, describe, expect, it } from 'vitest';
import { imageManifest } from '@wharf/test-kit';
import { expectRegistryError, nextLink } from '../support/registry';
import { FORMS, type HostedFixture, hostedFixture, via } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();
let repo: HostedFixture;
const IMAGE = 'lib/tagged';
// Pushed in a scrambled order; ASCII order puts upper case first.
const TAGS = ['v1.10', 'latest', 'A-upper', 'v1.2', 'beta', '1.0', 'v1.1'];
const SORTED = [...TAGS].sort();

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'tags-hosted');
  const m = imageManifest();
  await repo.connector.pushBlobs(IMAGE, m.blobs);
  for (const tag of TAGS) expect((await repo.connector.putManifest(IMAGE, tag, m)).status).toBe(201);
  const untagged = imageManifest();
  await repo.connector.pushImage('lib/untagged', untagged.digest, untagged);
});

describe.each(FORMS)('GET tags/list through the %s form', (form) => {
  it('lists every tag in lexical (ASCII) order, with no Link when everything fits', async () => {
    const { registry, name } = via(repo, form, IMAGE);
    const res = await registry.tags(name);
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ name, tags: SORTED });
    expect(res.header('link')).toBeNull();
  });

  it('pages with n and a Link to the next page in the same addressing form', async () => {
    const { registry, name } = via(repo, form, IMAGE);
    const first = await registry.tags(name, '?n=3');
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ name, tags: SORTED.slice(0, 3) });
    const link = nextLink(first);
    expect(link).not.toBeNull();
    const url = new URL(link!, 'http://placeholder');
    expect(url.pathname).toBe(registry.path(name, 'tags/list'));
    expect(url.searchParams.get('n')).toBe('3');
    expect(url.searchParams.get('last')).toBe(SORTED[2]);

    const seen = [...first.json<{ tags: string[] }>().tags];
    let next: string | null = link;
    let pages = 1;
    while (next) {
      const page = await registry.http.get(next);
      expect(page.status).toBe(200);
      const tags = page.json<{ tags: string[] }>().tags;
      expect(tags.length).toBeLessThanOrEqual(3);
      seen.push(...tags);
      next = nextLink(page);
      pages++;
      expect(pages).toBeLessThan(10);
    }
    expect(seen).toEqual(SORTED);
    expect(pages).toBe(3);
  });
});

describe('n and last', () => {
  it('last returns the tags after it, not including it', async () => {
    const res = await repo.connector.tags(IMAGE, `?last=${SORTED[3]}`);
    expect(res.json()).toEqual({ name: IMAGE, tags: SORTED.slice(4) });
  });

  it('n and last together', async () => {
    const res = await repo.connector.tags(IMAGE, `?n=2&last=${SORTED[1]}`);
    expect(res.json()).toEqual({ name: IMAGE, tags: SORTED.slice(2, 4) });
    expect(nextLink(res)).not.toBeNull();
  });

  it('last after the final tag gives an empty list without Link', async () => {
    const res = await repo.connector.tags(IMAGE, `?last=${SORTED[SORTED.length - 1]}`);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ name: IMAGE, tags: [] });
    expect(res.header('link')).toBeNull();
  });

  it('n equal to the number of tags returns all of them and no Link', async () => {
    const res = await repo.connector.tags(IMAGE, `?n=${SORTED.length}`);
    expect(res.json()).toEqual({ name: IMAGE, tags: SORTED });
    expect(res.header('link')).toBeNull();
  });

  it('n=0 returns an empty list and no Link', async () => {
    const res = await repo.connector.tags(IMAGE, '?n=0');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ name: IMAGE, tags: [] });
    expect(res.header('link')).toBeNull();
  });

  it('a non-numeric or negative n is a 400', async () => {
    for (const n of ['abc', '-1', '1.5']) {
      const res = await repo.connector.tags(IMAGE, `?n=${n}`);
      expect(res.status, n).toBe(400);
      expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
    }
  });
});

describe('images without tags, unknown images and repositories', () => {
  it('an image with only untagged manifests lists no tags (200)', async () => {
    const res = await repo.connector.tags('lib/untagged');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ name: 'lib/untagged', tags: [] });
  });

  it('an unknown image is 404 NAME_UNKNOWN', async () => {
    expectRegistryError(await repo.connector.tags('lib/nothing'), 404, 'NAME_UNKNOWN');
    expectRegistryError(await repo.main.tags(repo.mainName('lib/nothing')), 404, 'NAME_UNKNOWN');
  });

  it('an unknown repository is 404 NAME_UNKNOWN on both main-port forms', async () => {
    expectRegistryError(await repo.main.tags('no-such-repo/lib/tagged'), 404, 'NAME_UNKNOWN');
    expectRegistryError(await wharf.http.get('/repository/no-such-repo/v2/lib/tagged/tags/list'), 404, 'NAME_UNKNOWN');
  });

  it('a deleted tag disappears from the list', async () => {
    const m = imageManifest();
    await repo.connector.pushImage('lib/shrinking', 'keep', m);
    expect((await repo.connector.putManifest('lib/shrinking', 'drop', m)).status).toBe(201);
    expect((await repo.connector.http.delete(repo.connector.manifestPath('lib/shrinking', 'drop'))).status).toBe(202);
    expect((await repo.connector.tags('lib/shrinking')).json()).toEqual({ name: 'lib/shrinking', tags: ['keep'] });
  });
});
