import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Screenshots, type PageProblems } from '../support/browser';
import { seedBusybox } from '../support/busybox-image';
import { Cleanup } from '../support/cleanup';
import { Distribution } from '../support/distribution';
import { Dockerd } from '../support/dockerd';
import { basicAuth, send, type HttpResponse } from '../support/http';
import { buildDiskImage, type DiskImage, MANIFEST_ACCEPT } from '@wharf/test-kit';
import { REPO_ROOT } from '../support/paths';
import { freePort, isListening } from '../support/ports';
import { RegistryClient } from '../support/registry-client';
import { DESKTOP, expectShownSize, fact, listScreenshots, openUiPage, text } from '../support/ui-page';
import { waitFor } from '../support/wait';
import { ADMIN_USER, Wharf } from '../support/wharf';

// The admin UI in a real browser (Debian's headless Chromium, driven by playwright-core) against a
// real Wharf process serving the built web/dist, with CNCF Distribution seeded with busybox:1.36 as
// the "Docker Hub" upstream. Everything a user does here goes through the UI: sign-in, the three
// repositories of the setup (hub proxy from the UI's preset, hosted, group), anonymous access, browsing
// what a real dockerd pulled through the group, and deleting a pushed tag. What the UI shows is
// compared with what the registry API answers. One screenshot per page visited: test-artifacts/ui/.

const REST = '/service/rest/v1';
const PROXY = 'docker-hub';
const HOSTED = 'docker-hosted';
const GROUP = 'docker-group';
const APP = 'team/ui-app';
const NARROW = { width: 380, height: 800 };

interface ManifestJson {
  mediaType?: string;
  config: { mediaType: string; digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number }>;
}

describe('admin web UI in headless Chromium: sign-in, setup, browse, delete', () => {
  const cleanup = new Cleanup();
  let shots: Screenshots | undefined;
  let tmp: string;
  let upstream: Distribution;
  let wharf: Wharf;
  let page: Page;
  let problems: PageProblems;
  let hostedPort: number;
  let groupPort: number;
  let busyboxDigest: string;

  const shot = (step: string) => shots!.take(page, step);
  const nav = (label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true });
  const h1 = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const notice = (message: string) => page.getByRole('status').filter({ hasText: message });

  /** GET on Wharf's registry API (main port, path routing) with the admin's credentials. */
  function registryGet(path: string, accept = MANIFEST_ACCEPT): Promise<HttpResponse> {
    return send(`${wharf.baseUrl}/v2/${path}`, { headers: { Accept: accept, Authorization: basicAuth(ADMIN_USER, wharf.adminPassword) } });
  }

  beforeAll(async () => {
    shots = new Screenshots();
    if (!existsSync(join(REPO_ROOT, 'web', 'dist', 'index.html'))) {
      throw new Error('web/dist/index.html is missing: run `npm run build` first (the UI is served from web/dist)');
    }
    tmp = cleanup.tempDir('ui');
    upstream = cleanup.stopping('upstream registry', await Distribution.start({ dir: tmp, name: 'hub' }));
    busyboxDigest = await seedBusybox(tmp, upstream.host, cleanup);

    wharf = cleanup.stopping('wharf', await Wharf.start({ dir: tmp }));
    hostedPort = await freePort();
    groupPort = await freePort();

    ({ page, problems } = await openUiPage(tmp, cleanup));
  });

  afterAll(async () => {
    listScreenshots('ui-browser', shots);
    await cleanup.run();
  });

  it('signs in as admin, after a wrong password was refused with a clear message', async () => {
    await page.goto(`${wharf.baseUrl}/`);
    await h1('Sign in').waitFor();
    await shot('sign-in');

    await page.getByLabel('Username', { exact: true }).fill(ADMIN_USER);
    await page.getByLabel('Password', { exact: true }).fill(`${wharf.adminPassword}-wrong`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await text(alert)).toBe('The username or password is incorrect.');
    expect(await h1('Sign in').isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await shot('sign-in-wrong-password');

    await page.getByLabel('Password', { exact: true }).fill(wharf.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await h1('Dashboard').waitFor();
    expect(await text(page.locator('.user-name'))).toBe(ADMIN_USER);
    // Four steps: the fourth turns anonymous access on, which the daemon.json it leads to needs.
    await page.getByRole('heading', { name: 'Set up Wharf in four steps' }).waitFor();
    expect(await page.getByRole('link', { name: 'Turn on anonymous access' }).getAttribute('href')).toBe('#/security/anonymous');
    await page.getByRole('link', { name: 'Turn on anonymous access' }).click();
    await h1('Anonymous access').waitFor();
    await shot('dashboard-empty');
  });

  it('creates the Docker Hub proxy from the preset, with the remote URL changed to the local Distribution', async () => {
    await nav('Repositories').click();
    await h1('Repositories').waitFor();
    await page.getByText('No repositories yet').waitFor();
    await shot('repositories-empty');

    await page.getByRole('link', { name: 'New proxy' }).first().click();
    await h1('New proxy repository').waitFor();
    const form = page.getByRole('form', { name: 'Proxy repository' });
    const preset = form.getByRole('button', { name: 'Docker Hub preset' });
    expect(await preset.getAttribute('aria-pressed')).toBe('false');
    await preset.click();
    expect(await preset.getAttribute('aria-pressed')).toBe('true');
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe(PROXY);
    expect(await form.getByLabel('Remote URL').inputValue()).toBe('https://registry-1.docker.io');
    expect(await form.getByLabel('Docker index').inputValue()).toBe('HUB');

    await form.getByLabel('Remote URL').fill(upstream.url);
    expect(await preset.getAttribute('aria-pressed')).toBe('false');
    expect(await form.getByLabel('Docker index').inputValue()).toBe('HUB');
    await shot('proxy-form-hub-preset-local-remote');

    await form.getByRole('button', { name: 'Create proxy repository' }).click();
    await h1('Repositories').waitFor();
    await notice(`Created ${PROXY}.`).waitFor();

    const res = await wharf.rest.get(`${REST}/repositories/docker/proxy/${PROXY}`);
    expect(res.status, res.text()).toBe(200);
    expect(res.json()).toMatchObject({
      name: PROXY,
      online: true,
      proxy: { remoteUrl: upstream.url },
      dockerProxy: { indexType: 'HUB' },
      docker: { forceBasicAuth: false },
    });
  });

  it('creates the hosted repository on a free connector port', async () => {
    await page.getByRole('link', { name: 'New hosted' }).first().click();
    await h1('New hosted repository').waitFor();
    const form = page.getByRole('form', { name: 'Hosted repository' });
    await form.getByLabel('Name', { exact: true }).fill(HOSTED);
    await form.getByLabel('HTTP connector port', { exact: true }).fill(String(hostedPort));
    expect(await form.getByLabel('Require authentication').isChecked()).toBe(true);
    await shot('hosted-form');

    await form.getByRole('button', { name: 'Create hosted repository' }).click();
    await h1('Repositories').waitFor();
    await notice(`Created ${HOSTED}.`).waitFor();

    const res = await wharf.rest.get(`${REST}/repositories/docker/hosted/${HOSTED}`);
    expect(res.status, res.text()).toBe(200);
    expect(res.json()).toMatchObject({ name: HOSTED, online: true, docker: { httpPort: hostedPort, forceBasicAuth: true } });
    await waitFor(`the hosted connector on port ${hostedPort}`, () => isListening(hostedPort));
  });

  it('creates the group [hosted, proxy] with writable member hosted on a free connector port', async () => {
    await page.getByRole('link', { name: 'New group' }).first().click();
    await h1('New group repository').waitFor();
    const form = page.getByRole('form', { name: 'Group repository' });
    await form.getByLabel('Name', { exact: true }).fill(GROUP);
    const add = form.getByLabel('Repository to add');
    await add.selectOption(HOSTED);
    await form.getByRole('button', { name: 'Add member' }).click();
    await add.selectOption(PROXY);
    await form.getByRole('button', { name: 'Add member' }).click();
    const members = form.getByRole('list', { name: 'Members in order' }).locator('.member-name');
    expect(await members.allTextContents()).toEqual([HOSTED, PROXY]);
    await form.getByLabel('Writable member').selectOption(HOSTED);
    await form.getByLabel('HTTP connector port', { exact: true }).fill(String(groupPort));
    expect(await form.getByLabel('Require authentication').isChecked()).toBe(false);
    await shot('group-form');

    await form.getByRole('button', { name: 'Create group repository' }).click();
    await h1('Repositories').waitFor();
    await notice(`Created ${GROUP}.`).waitFor();
    const rows = page.locator('table tbody tr');
    await rows.nth(2).waitFor();
    expect(await rows.locator('td[data-label="Name"]').allTextContents()).toEqual([GROUP, HOSTED, PROXY]);
    await shot('repositories-created');

    const res = await wharf.rest.get(`${REST}/repositories/docker/group/${GROUP}`);
    expect(res.status, res.text()).toBe(200);
    expect(res.json()).toMatchObject({
      name: GROUP,
      type: 'group',
      group: { memberNames: [HOSTED, PROXY], writableMember: HOSTED },
      docker: { httpPort: groupPort, forceBasicAuth: false },
    });
    await waitFor(`the group connector on port ${groupPort}`, () => isListening(groupPort));
  });

  it('turns anonymous access on in the Security page, so the mirror pull needs no login', async () => {
    await nav('Security').click();
    await h1('Anonymous access').waitFor();
    const toggle = page.getByRole('switch', { name: /Allow anonymous pulls/ });
    await toggle.waitFor();
    const before = (await wharf.rest.get(`${REST}/security/anonymous`)).json<{ enabled: boolean }>();
    expect(await toggle.getAttribute('aria-checked')).toBe(String(before.enabled));
    if (!before.enabled) {
      await toggle.click();
      await page.getByRole('switch', { name: 'Allow anonymous pulls (on)', checked: true }).waitFor();
    }
    await shot('security-anonymous-on');
    expect((await wharf.rest.get(`${REST}/security/anonymous`)).json()).toMatchObject({ enabled: true });
  });

  it('a real dockerd with the group as registry mirror pulls busybox:1.36', async () => {
    const d = cleanup.stopping('dockerd pull', await Dockerd.start({ dir: tmp, name: 'pull', registryMirrors: [`http://127.0.0.1:${groupPort}`] }));
    const pull = await d.docker(['pull', 'busybox:1.36']);
    const log = () => readFileSync(d.logFile, 'utf8').slice(-3000);
    expect(pull.code, `${pull.stdout}${pull.stderr}\n--- dockerd log ---\n${log()}`).toBe(0);
    expect(pull.stdout).toContain(`Digest: ${busyboxDigest}`);
    expect(log()).not.toMatch(/Attempting next endpoint/i);
    expect(upstream.requests().filter((r) => r.method === 'GET' && r.path.startsWith('/v2/library/busybox/manifests/')).length).toBeGreaterThanOrEqual(1);
    await d.stop();
  });

  it('Browse shows the cached image, and its manifest view matches the registry API (layers, sizes, os/arch)', async () => {
    // What the registry API says about the image the UI will show.
    const res = await registryGet(`${PROXY}/library/busybox/manifests/1.36`);
    expect(res.status, res.text()).toBe(200);
    expect(res.headers['docker-content-digest']).toBe(busyboxDigest);
    const manifest = res.json<ManifestJson>();
    expect(manifest.layers.length).toBeGreaterThanOrEqual(1);
    const configRes = await registryGet(`${PROXY}/library/busybox/blobs/${manifest.config.digest}`, 'application/json, */*');
    expect(configRes.status).toBe(200);
    const config = configRes.json<{ os: string; architecture: string; variant?: string }>();

    await nav('Dashboard').click();
    await h1('Dashboard').waitFor();
    await page.getByRole('article', { name: PROXY }).getByText('reachable', { exact: true }).waitFor();
    await shot('dashboard');

    await nav('Browse').click();
    await h1('Browse').waitFor();
    const cards = page.locator('.link-list');
    await cards.getByRole('link', { name: new RegExp(`^${PROXY}\\b`) }).waitFor();
    await shot('browse');

    await cards.getByRole('link', { name: new RegExp(`^${PROXY}\\b`) }).click();
    await h1(new RegExp(`^${PROXY}`)).waitFor();
    const imageLink = page.getByRole('link', { name: 'library/busybox', exact: true });
    await imageLink.waitFor();
    await shot('browse-docker-hub-images');

    await imageLink.click();
    await h1('library/busybox').waitFor();
    const tagLink = page.getByRole('link', { name: '1.36', exact: true });
    await tagLink.waitFor();
    const tagRow = page.locator('tbody tr', { has: tagLink });
    expect(await tagRow.locator('td[data-label="Digest"]').getAttribute('title')).toBe(busyboxDigest);
    expectShownSize(await text(tagRow.locator('td[data-label="Manifest size"]')), res.body.length, 'manifest size in the tag list');
    await shot('browse-docker-hub-busybox-tags');

    await tagLink.click();
    await h1('library/busybox:1.36').waitFor();
    const layersTitle = page.locator('#layers-title');
    await layersTitle.waitFor();
    await fact(page, 'Platform').waitFor();
    await shot('manifest-docker-hub-busybox-1.36');

    expect(await text(fact(page, 'Digest'))).toContain(busyboxDigest);
    expect(await text(fact(page, 'Media type'))).toContain(String(res.headers['content-type']).split(';')[0]);
    const total = manifest.layers.reduce((s, l) => s + l.size, 0);
    const heading = await text(layersTitle);
    expect(heading).toMatch(new RegExp(`^Layers \\(${manifest.layers.length}\\) · (.+) total$`));
    expectShownSize(/· (.+) total$/.exec(heading)![1]!, total, 'total in the layers heading');
    const rows = page.locator('section[aria-labelledby="layers-title"] tbody tr');
    expect(await rows.count()).toBe(manifest.layers.length);
    for (const [i, layer] of manifest.layers.entries()) {
      const cells = rows.nth(i).locator('td');
      expect(await text(cells.nth(0))).toBe(String(i + 1));
      expect(await cells.nth(1).getAttribute('title')).toBe(layer.digest);
      expectShownSize(await text(cells.nth(3)), layer.size, `size of layer ${i + 1}`);
    }
    const platform = [config.os, config.architecture, config.variant].filter(Boolean).join('/');
    expect(await text(fact(page, 'Platform'))).toBe(platform);
  });

  it('a pushed tag of the hosted repository is found in Browse, deleted through the UI, and the registry answers 404 MANIFEST_UNKNOWN', async () => {
    const image: DiskImage = await buildDiskImage(join(tmp, 'app-image'), { layers: [700, 1_234_567], format: 'docker' });
    const client = new RegistryClient({ baseUrl: `http://127.0.0.1:${hostedPort}`, username: ADMIN_USER, password: wharf.adminPassword });
    const digest = await client.pushImage(APP, 'v1', image);
    expect(digest).toBe(image.manifest.digest);
    expect(await client.pushImage(APP, 'v2', image)).toBe(digest);

    await nav('Browse').click();
    await h1('Browse').waitFor();
    await page.locator('.link-list').getByRole('link', { name: new RegExp(`^${HOSTED}\\b`) }).click();
    await h1(new RegExp(`^${HOSTED}`)).waitFor();
    const imageLink = page.getByRole('link', { name: APP, exact: true });
    await imageLink.waitFor();
    await shot('browse-docker-hosted-images');

    await imageLink.click();
    await h1(APP).waitFor();
    const v1 = page.getByRole('link', { name: 'v1', exact: true });
    const v2 = page.getByRole('link', { name: 'v2', exact: true });
    await v1.waitFor();
    await v2.waitFor();
    const v1Row = page.locator('tbody tr', { has: v1 });
    expect(await v1Row.locator('td[data-label="Digest"]').getAttribute('title')).toBe(digest);

    // The manifest view of the pushed tag: the layers the builder made, byte for byte.
    await v1.click();
    await h1(`${APP}:v1`).waitFor();
    await page.locator('#layers-title').waitFor();
    await fact(page, 'Platform').waitFor();
    await shot('manifest-docker-hosted-ui-app-v1');
    const rows = page.locator('section[aria-labelledby="layers-title"] tbody tr');
    expect(await rows.count()).toBe(image.layers.length);
    for (const [i, layer] of image.layers.entries()) {
      expect(await rows.nth(i).locator('td').nth(1).getAttribute('title')).toBe(layer.digest);
      expectShownSize(await text(rows.nth(i).locator('td').nth(3)), layer.size, `size of pushed layer ${i + 1}`);
    }
    expect(await text(fact(page, 'Platform'))).toBe('linux/amd64');

    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: APP, exact: true }).click();
    await h1(APP).waitFor();
    await v1.waitFor();
    await page.getByRole('button', { name: 'Delete v1', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete tag v1?' });
    await dialog.waitFor();
    expect(await text(dialog)).toContain(`${APP}:v1`);
    await shot('delete-tag-confirm-dialog');
    await dialog.getByRole('button', { name: 'Delete tag', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await notice(`Deleted ${APP}:v1.`).waitFor();
    await v1.waitFor({ state: 'detached' });
    await v2.waitFor();
    await shot('browse-docker-hosted-ui-app-after-delete');

    const gone = await registryGet(`${HOSTED}/${APP}/manifests/v1`);
    expect(gone.status, gone.text()).toBe(404);
    expect(gone.json<{ errors: Array<{ code: string }> }>().errors.map((e) => e.code)).toContain('MANIFEST_UNKNOWN');
    const onPort = await client.getManifest(APP, 'v1');
    expect(onPort.status).toBe(404);
    expect(onPort.json<{ errors: Array<{ code: string }> }>().errors.map((e) => e.code)).toContain('MANIFEST_UNKNOWN');
    // The dialog promised: the manifest stays while another tag uses it (v2 points at the same digest).
    const other = await registryGet(`${HOSTED}/${APP}/manifests/v2`);
    expect(other.status, other.text()).toBe(200);
    expect(other.headers['docker-content-digest']).toBe(digest);
    expect((await registryGet(`${HOSTED}/${APP}/manifests/${digest}`)).status).toBe(200);
  });

  it('the Security page and the dashboard at 380 px width', async () => {
    await nav('Security').click();
    await h1('Anonymous access').waitFor();
    await page.getByRole('switch', { name: 'Allow anonymous pulls (on)', checked: true }).waitFor();
    await shot('security');

    await nav('Dashboard').click();
    await h1('Dashboard').waitFor();
    await page.setViewportSize(NARROW);
    await page.getByRole('article', { name: GROUP }).waitFor();
    await page.getByRole('article', { name: PROXY }).getByText('reachable', { exact: true }).waitFor();
    await shot('dashboard-380px');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow, 'the dashboard scrolls sideways at 380 px').toBeLessThanOrEqual(0);
    await page.setViewportSize(DESKTOP);

    expect(problems.pageErrors, 'uncaught errors in the page').toEqual([]);
    expect(problems.serverErrors, 'server errors or failed requests seen by the page').toEqual([]);
    if (problems.abandonedBodies.length > 0) console.log(`[ui-browser] answers the UI did not read:\n  ${problems.abandonedBodies.join('\n  ')}`);
    // The one expected console error is the browser's own log line for the refused sign-in (401).
    const unexpected = problems.consoleErrors.filter((m) => !/status of 401/.test(m));
    expect(unexpected, 'console errors in the page').toEqual([]);
  });
});
