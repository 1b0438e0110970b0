import { beforeAll, describe, expect, it } from 'vitest';
import { imageManifest } from '@wharf/test-kit';
import { Registry, expectRegistryError, nextLink } from '../support/registry';
import { type HostedFixture, hostedFixture } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();
let main: Registry;
const fixtures: HostedFixture[] = [];
// Names whose code-point order (what "lexical" and the `last` cursor mean) differs from locale collation.
const REPOSITORIES = ['cat-a', 'cat.b', 'cat0', 'cat_c', 'catd'];
const IMAGES: Record<string, string[]> = {
  'cat-a': ['zeta', 'alpha/one'],
  'cat.b': ['single'],
  cat0: ['x/y/z', 'x'],
  cat_c: ['m', 'n'],
  catd: ['last'],
};
const ALL = REPOSITORIES.flatMap((r) => IMAGES[r]!.map((i) => `${r}/${i}`)).sort();

beforeAll(async () => {
  main = new Registry(wharf.http);
  for (const name of REPOSITORIES) {
    const fixture = await hostedFixture(wharf, name);
    fixtures.push(fixture);
    for (const image of IMAGES[name]!) await fixture.connector.pushImage(image, 'latest', imageManifest());
  }
  // A repository with no images adds nothing.
  await hostedFixture(wharf, 'cat-empty');
});

async function walk(registry: Registry, n: number, first = `?n=${n}`): Promise<{ items: string[]; pages: number }> {
  const items: string[] = [];
  let next: string | null = null;
  let pages = 0;
  let res = await registry.catalog(first);
  for (;;) {
    expect(res.status, res.text()).toBe(200);
    const page = res.json<{ repositories: string[] }>().repositories;
    expect(page.length).toBeLessThanOrEqual(n);
    items.push(...page);
    pages++;
    next = nextLink(res);
    if (!next || pages > 50) break;
    res = await registry.http.get(next);
  }
  return { items, pages };
}

describe('/v2/_catalog on a connector: the images of that repository', () => {
  const repo = () => fixtures.find((f) => f.name === 'cat-a')!;

  it('lists the images in lexical order', async () => {
    const res = await repo().connector.catalog();
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ repositories: ['alpha/one', 'zeta'] });
    expect(res.header('link')).toBeNull();
  });

  it('pages with n and a Link header', async () => {
    const first = await repo().connector.catalog('?n=1');
    expect(first.json()).toEqual({ repositories: ['alpha/one'] });
    const link = nextLink(first);
    const url = new URL(link!, 'http://placeholder');
    expect(url.pathname).toBe('/v2/_catalog');
    expect(url.searchParams.get('n')).toBe('1');
    expect(url.searchParams.get('last')).toBe('alpha/one');
    const second = await repo().connector.http.get(link!);
    expect(second.json()).toEqual({ repositories: ['zeta'] });
    expect(second.header('link')).toBeNull();
  });

  it('n=0 is an empty list without Link', async () => {
    const res = await repo().connector.catalog('?n=0');
    expect(res.json()).toEqual({ repositories: [] });
    expect(res.header('link')).toBeNull();
  });

  it('/repository/<repo>/v2/_catalog is the same list, with Links in that form', async () => {
    const prefixed = repo().prefixed;
    const all = await prefixed.catalog();
    expect(all.json()).toEqual({ repositories: ['alpha/one', 'zeta'] });
    const first = await prefixed.catalog('?n=1');
    const link = nextLink(first);
    expect(new URL(link!, 'http://placeholder').pathname).toBe('/repository/cat-a/v2/_catalog');
    expect((await prefixed.http.get(link!)).json()).toEqual({ repositories: ['zeta'] });
  });

  it('an empty repository has an empty catalog', async () => {
    const res = await wharf.http.get('/repository/cat-empty/v2/_catalog');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ repositories: [] });
  });

  it('an unknown repository is 404 NAME_UNKNOWN', async () => {
    expectRegistryError(await wharf.http.get('/repository/no-such-repo/v2/_catalog'), 404, 'NAME_UNKNOWN');
  });
});

describe('/v2/_catalog on the main port: every repository as <repo>/<image>', () => {
  it('lists every image of every repository', async () => {
    const res = await main.catalog();
    expect(res.status).toBe(200);
    expect([...res.json<{ repositories: string[] }>().repositories].sort()).toEqual(ALL);
    expect(res.header('link')).toBeNull();
  });

  it('lists them in lexical (code point) order, the order the `last` cursor compares by', async () => {
    const res = await main.catalog();
    expect(res.json()).toEqual({ repositories: ALL });
  });

  it('the first page with n has n entries and a Link (n and last) to the rest', async () => {
    const res = await main.catalog('?n=2');
    expect(res.json<{ repositories: string[] }>().repositories).toEqual(ALL.slice(0, 2));
    const url = new URL(nextLink(res)!, 'http://placeholder');
    expect(url.pathname).toBe('/v2/_catalog');
    expect(url.searchParams.get('n')).toBe('2');
    expect(url.searchParams.get('last')).toBe(ALL[1]);
  });

  it.each([1, 2, 3])('following Links with n=%i returns every entry exactly once, in order', async (n) => {
    const { items, pages } = await walk(main, n);
    expect(items).toEqual(ALL);
    expect(pages).toBe(Math.ceil(ALL.length / n));
  });

  it('last picks up after an entry (across repositories)', async () => {
    const at = ALL.indexOf('cat0/x/y/z');
    const res = await main.catalog(`?last=${encodeURIComponent('cat0/x/y/z')}`);
    expect(res.json<{ repositories: string[] }>().repositories).toEqual(ALL.slice(at + 1));
  });

  it('last within a repository whose name sorts first only skips what comes before it', async () => {
    // Order-insensitive: whatever the order, nothing after the cursor may be lost.
    const res = await main.catalog(`?last=${encodeURIComponent('cat-a/zeta')}`);
    expect([...res.json<{ repositories: string[] }>().repositories].sort()).toEqual(ALL.filter((e) => e > 'cat-a/zeta'));
  });

  it('n=0 is an empty list without Link', async () => {
    const res = await main.catalog('?n=0');
    expect(res.json()).toEqual({ repositories: [] });
    expect(res.header('link')).toBeNull();
  });

  it('a deleted repository leaves the catalog', async () => {
    const gone = await hostedFixture(wharf, 'cat-gone');
    await gone.connector.pushImage('img', 'latest', imageManifest());
    expect((await main.catalog()).json<{ repositories: string[] }>().repositories).toContain('cat-gone/img');
    expect((await wharf.http.delete('/service/rest/v1/repositories/cat-gone')).status).toBe(204);
    const after = (await main.catalog()).json<{ repositories: string[] }>().repositories;
    expect([...after].sort()).toEqual(ALL);
  });
});
