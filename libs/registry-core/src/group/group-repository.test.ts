import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupConfig, hostedConfig } from '../../test/configs';
import { describeDockerRepositoryContract } from '../../test/docker-repository.contract';
import { openProxyHarness } from '../../test/proxy-harness';
import { describeReadContract } from '../../test/read-contract';
import { distributionAvailable } from '../../test/upstream/distribution';
import { type ImageManifest, imageManifest, randomBlob } from '@wharf/test-kit';
import { expectRegistryError, pushImage } from '../../test/fixtures';
import { type HostedHarness, openHostedHarness } from '../../test/hosted-harness';
import type { DockerRepository, ReadView } from '../docker-repository';
import { GroupRepository } from './group-repository';
import { LoginRequired } from './login-required';

// A group over a hosted member the caller may read ("open") and one it may not ("closed"). A caller that
// has not logged in (loginForHidden) is asked to log in where "closed" might hold what it asks for;
// a caller that has logged in, or a group that hides nothing, gets plain answers.

let harness: HostedHarness;
let open: DockerRepository;
let closed: DockerRepository;
/** Member reads of "open", by method: a hidden member's hit must stop the group before it asks the others. */
const openReads: string[] = [];
const privateImage: ImageManifest = imageManifest({ layers: [randomBlob(300)] });
const publicImage: ImageManifest = imageManifest({ layers: [randomBlob(400)] });

/** Counts reads that could go upstream on a proxy member (listTags is local everywhere). */
function counting(member: DockerRepository): DockerRepository {
  return new Proxy(member, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'getManifest' || prop === 'getBlob') openReads.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** A group over named members, resolved at call time as RepositoryManager does (they exist once beforeAll ran). */
function groupOf(name: string, members: Record<string, () => DockerRepository>, warnings: string[] = []): GroupRepository {
  return new GroupRepository(groupConfig(name, Object.keys(members)), {
    resolve: (member) => members[member]?.(),
    mirrors: () => undefined,
    log: { warn: (m) => warnings.push(m) },
  });
}

function group(view: ReadView): DockerRepository {
  return groupOf('grp', { open: () => counting(open), closed: () => closed }).restrictTo(view);
}

const anonymous = group({ canRead: (name) => name !== 'closed', loginForHidden: true });
const loggedIn = group({ canRead: (name) => name !== 'closed' });
const hidesNothing = group({ canRead: () => true, loginForHidden: true });

beforeAll(async () => {
  harness = await openHostedHarness('memory');
  open = harness.repository(hostedConfig('open'));
  closed = harness.repository(hostedConfig('closed'));
  await pushImage(closed, 'team/private', privateImage, '1');
  await pushImage(open, 'team/public', publicImage, '1');
});

afterAll(async () => {
  await harness?.cleanup();
});

const privateBlob = () => privateImage.layers[0]!.digest;
const publicBlob = () => publicImage.layers[0]!.digest;

describe('GroupRepository: callers that must log in to see some members (loginForHidden)', () => {
  const asks: { what: string; read: (g: DockerRepository) => Promise<unknown> }[] = [
    { what: 'a tag only the hidden member has', read: (g) => g.getManifest('team/private', '1') },
    { what: 'a manifest digest only the hidden member has', read: (g) => g.getManifest('team/private', privateImage.digest) },
    { what: 'a blob only the hidden member has (GET)', read: (g) => g.getBlob('team/private', privateBlob()) },
    { what: 'a blob only the hidden member has (HEAD)', read: (g) => g.statBlob('team/private', privateBlob()) },
  ];

  it.each(asks)('$what: LoginRequired, before any readable member is asked', async ({ read }) => {
    openReads.length = 0;
    const err = await read(anonymous).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoginRequired);
    expect((err as LoginRequired).code).toBe('UNAUTHORIZED');
    expect(openReads).toEqual([]);
  });

  it.each(asks)('$what: a logged-in caller without access gets "not found", not a login prompt', async ({ read }) => {
    expect(await read(loggedIn)).toBeNull();
  });

  it('what no member has: LoginRequired for the anonymous caller (a hidden member might have it), null otherwise', async () => {
    await expect(anonymous.getManifest('team/nowhere', '1')).rejects.toBeInstanceOf(LoginRequired);
    await expect(anonymous.listTags('team/nowhere', {})).rejects.toBeInstanceOf(LoginRequired);
    expect(await hidesNothing.getManifest('team/nowhere', '1')).toBeNull();
    await expectRegistryError(hidesNothing.listTags('team/nowhere', {}), 'NAME_UNKNOWN');
    await expectRegistryError(loggedIn.listTags('team/nowhere', {}), 'NAME_UNKNOWN');
  });

  it('what a readable member has is served to the anonymous caller', async () => {
    const manifest = await anonymous.getManifest('team/public', '1');
    expect(manifest?.digest).toBe(publicImage.digest);
    expect((await anonymous.statBlob('team/public', publicBlob()))?.size).toBe(400);
    expect((await anonymous.listTags('team/public', {})).items).toEqual(['1']);
  });

  it('a nested group whose hidden member holds it: the outer group asks for a login too, and logs no member failure', async () => {
    const warnings: string[] = [];
    const inner = groupOf('inner', { closed: () => closed }, warnings);
    const outer = groupOf('outer', { inner: () => inner, open: () => open }, warnings);
    const view = outer.restrictTo({ canRead: (name) => name !== 'closed', loginForHidden: true });
    await expect(view.getManifest('team/private', '1')).rejects.toBeInstanceOf(LoginRequired);
    expect((await view.getManifest('team/public', '1'))?.digest).toBe(publicImage.digest);
    expect(warnings).toEqual([]);
  });

  it('a group that hides nothing from the caller serves what its members have', async () => {
    expect((await hidesNothing.getManifest('team/private', '1'))?.digest).toBe(privateImage.digest);
  });
});

describe('GroupRepository: the members it stands for', () => {
  const members = { open: () => open, closed: () => closed };

  it('pushes go to the writable member, whichever members the caller may read', () => {
    const g = groupOf('grp', members);
    expect(g.writeTarget()).toBe(open);
    expect(g.restrictTo({ canRead: () => false }).writeTarget?.()).toBe(open);
  });

  it('without a writable member, or offline, a push is refused before any member is asked', async () => {
    const deps = { resolve: (name: string) => members[name as keyof typeof members]?.(), mirrors: () => undefined, log: { warn: () => undefined } };
    const config = groupConfig('grp', Object.keys(members));
    const readOnly = new GroupRepository({ ...config, group: { ...config.group, writableMember: null } }, deps);
    await expectRegistryError(Promise.resolve().then(() => readOnly.writeTarget()), 'DENIED');
    const offline = new GroupRepository({ ...config, online: false }, deps);
    await expectRegistryError(Promise.resolve().then(() => offline.writeTarget()), 'UNAVAILABLE');
  });

  it('leafMembers: nested groups walked in place, each repository once, a cycle ends; a view keeps what the caller may read', () => {
    const inner: GroupRepository = groupOf('inner', { closed: () => closed, open: () => open, outer: () => outer });
    const outer: GroupRepository = groupOf('outer', { inner: () => inner, open: () => open, missing: () => undefined as unknown as DockerRepository });
    expect(outer.leafMembers().map((m) => m.name)).toEqual(['closed', 'open']);
    const view = outer.restrictTo({ canRead: (name) => name !== 'closed' }) as GroupRepository;
    expect(view.leafMembers().map((m) => m.name)).toEqual(['open']);
  });
});

// A group serves what its members hold, as any repository does: over a hosted member, and over a hosted and a
// proxy member (the image in the proxy's upstream); and it takes pushes through its writable member.
describeReadContract('GroupRepository over a hosted member', async () => {
  const h = await openHostedHarness('memory');
  const member = h.repository(hostedConfig('member'));
  return {
    repository: groupOf('grp-hosted', { member: () => member }),
    seed: async (image, tag, img) => void (await pushImage(member, image, img, tag)),
    cleanup: () => h.cleanup(),
  };
});

if (distributionAvailable()) {
  describeReadContract('GroupRepository over a hosted and a proxy member (content in the proxy upstream)', async () => {
    const h = await openHostedHarness('memory');
    const hosted = h.repository(hostedConfig('member-hosted'));
    const proxies = await openProxyHarness();
    const proxy = proxies.repository('member-proxy');
    return {
      repository: groupOf('grp-proxy', { 'member-hosted': () => hosted, 'member-proxy': () => proxy }),
      seed: proxies.seed,
      cleanup: async () => {
        await proxies.cleanup();
        await h.cleanup();
      },
    };
  });
}

describe('GroupRepository: which member answers a tag', () => {
  it('always the first member (in order) that has it, even after another member served a digest of that image', async () => {
    const h = await openHostedHarness('memory');
    try {
      const first = h.repository(hostedConfig('first'));
      const second = h.repository(hostedConfig('second'));
      const mine = imageManifest({ layers: [randomBlob(100)] });
      const theirs = imageManifest({ layers: [randomBlob(120)] });
      const other = imageManifest({ layers: [randomBlob(140)] });
      await pushImage(first, 'app', mine, '1');
      await pushImage(second, 'app', theirs, '1');
      await pushImage(second, 'app', other, '2');
      const g = groupOf('grp-order', { first: () => first, second: () => second });
      expect((await g.getManifest('app', '1'))?.digest).toBe(mine.digest);
      // The second member serves this image now (the group asks it first for the image's blobs) ...
      expect((await g.getManifest('app', other.digest))?.digest).toBe(other.digest);
      expect((await g.getManifest('app', '2'))?.digest).toBe(other.digest);
      // ... but a tag is still the first member's: member order decides, as the browse view says.
      expect((await g.getManifest('app', '1'))?.digest).toBe(mine.digest);
    } finally {
      await h.cleanup();
    }
  });
});

describeDockerRepositoryContract('GroupRepository writing through its hosted member', async () => {
  const h = await openHostedHarness('memory');
  const member = h.repository(hostedConfig('writable'));
  const siblingMember = h.repository(hostedConfig('writable-2'));
  return {
    repository: groupOf('grp-writable', { writable: () => member }),
    sibling: groupOf('grp-writable-2', { 'writable-2': () => siblingMember }),
    cleanup: () => h.cleanup(),
  };
});
