import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BlobStoreSummaryJson, CleanupPolicyJson, CleanupPreviewJson, ImageSizeJson, RepositoryStatusSummaryJson } from '@wharf/api-types';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Screenshots, type PageProblems } from '../support/browser';
import { Cleanup } from '../support/cleanup';
import { buildDiskImage, type DiskImage } from '@wharf/test-kit';
import { REPO_ROOT } from '../support/paths';
import { RegistryClient } from '../support/registry-client';
import { setGrace } from '../support/tasks';
import { expectShownSize, fact, listScreenshots, openUiPage, text } from '../support/ui-page';
import { ADMIN_USER, Wharf } from '../support/wharf';

// Issue 14's UI in a real browser (headless Chromium) against a real Wharf process: the blob store card on
// the dashboard, a cleanup policy created and previewed in the Storage page, attached in the repository
// form, the cleanup task run from the Tasks page, the repository list's status and size columns, a group's
// members in Browse, and an image's stored and unique size in Browse. What the UI shows is compared with the
// REST API and the registry.

const REST = '/service/rest/v1';
const REPO = 'ui-store';
const SECOND = 'ui-store-2';
const DOWN = 'ui-down';
const GROUP = 'ui-all';

describe('storage pages in headless Chromium', () => {
  const cleanup = new Cleanup();
  let shots: Screenshots | undefined;
  let tmp: string;
  let wharf: Wharf;
  let client: RegistryClient;
  let page: Page;
  let problems: PageProblems;
  let kept: DiskImage;
  let pr: DiskImage;

  const shot = (step: string) => shots!.take(page, step);
  const nav = (label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true });
  const h1 = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const notice = (message: string) => page.getByRole('status').filter({ hasText: message });

  beforeAll(async () => {
    shots = new Screenshots();
    if (!existsSync(join(REPO_ROOT, 'web', 'dist', 'index.html'))) {
      throw new Error('web/dist/index.html is missing: run `npm run build` first (the UI is served from web/dist)');
    }
    tmp = cleanup.tempDir('ui-storage');
    wharf = cleanup.stopping('wharf', await Wharf.start({ dir: tmp }));
    const port = await wharf.createHostedRepo(REPO);
    client = new RegistryClient({ baseUrl: `http://127.0.0.1:${port}`, username: ADMIN_USER, password: wharf.adminPassword });
    kept = await buildDiskImage(join(tmp, 'kept'), { layers: [200_000, 300_000], format: 'docker' });
    pr = await buildDiskImage(join(tmp, 'pr'), { layers: [400_000], format: 'docker' });
    await client.pushImage('team/app', 'v1', kept);
    await client.pushImage('team/app', 'pr-7', pr);
    await setGrace(wharf.rest, 'cleanup', 0);

    ({ page, problems } = await openUiPage(tmp, cleanup));
  });

  afterAll(async () => {
    listScreenshots('ui-storage', shots);
    await cleanup.run();
  });

  it('the dashboard shows the blob store: size and blob count as the REST API measured them', async () => {
    await page.goto(`${wharf.baseUrl}/`);
    await page.getByLabel('Username', { exact: true }).fill(ADMIN_USER);
    await page.getByLabel('Password', { exact: true }).fill(wharf.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await h1('Dashboard').waitFor();
    const card = page.getByRole('article', { name: 'default' });
    await card.waitFor();
    const store = (await wharf.rest.get(`${REST}/blobstores`)).json<BlobStoreSummaryJson[]>().find((s) => s.name === 'default')!;
    expectShownSize(await text(card.locator('.big-number')), store.totalSizeInBytes, 'blob store size');
    expect(await text(card)).toContain(`${store.blobCount} blobs`);
    await card.getByRole('img', { name: /^Size of blob store default over 30 days/ }).waitFor();
    await shot('dashboard-storage');
  });

  it('creates a cleanup policy, previewing its criteria on the repository first', async () => {
    await nav('Storage').click();
    await h1('Cleanup policies').waitFor();
    await page.getByRole('button', { name: 'New cleanup policy' }).click();
    const form = page.getByRole('form', { name: 'New cleanup policy' });
    await form.getByLabel('Name', { exact: true }).fill('old-prs');
    await form.getByLabel('Name matches', { exact: true }).fill('team/app:pr-.*');
    await form.getByRole('button', { name: 'Preview these criteria' }).click();
    const panel = page.getByRole('region', { name: /^Preview: tags, matching/ });
    await panel.getByLabel('Repository').selectOption(REPO);
    await panel.getByRole('button', { name: 'Show what would go' }).click();
    await panel.getByRole('cell', { name: 'pr-7', exact: true }).waitFor();
    expect(await panel.getByRole('cell', { name: 'v1', exact: true }).count()).toBe(0);
    const expected = (await wharf.rest.post(`${REST}/cleanup-policies/preview`, { repository: REPO, policy: { criteriaAssetRegex: 'team/app:pr-.*' } })).json<CleanupPreviewJson>();
    const summary = await text(panel.getByRole('status'));
    expect(summary).toContain(`A run would remove 1 tag and 1 manifest from ${REPO}`);
    expectShownSize(/free (.+)\.$/.exec(summary)![1]!, expected.totals.bytes, 'bytes the preview says would be freed');
    await shot('cleanup-policy-preview');

    await form.getByRole('button', { name: 'Create policy' }).click();
    await notice('Saved cleanup policy old-prs.').waitFor();
    const stored = (await wharf.rest.get(`${REST}/cleanup-policies/old-prs`)).json<CleanupPolicyJson>();
    expect(stored).toMatchObject({ name: 'old-prs', criteriaAssetRegex: 'team/app:pr-.*', criteriaLastBlobUpdated: null, retain: null, criteriaUntagged: false });
  });

  it('attaches the policy in the repository form (ticked among the existing policies), runs the cleanup task from the Tasks page, and shows what it freed', async () => {
    await page.goto(`${wharf.baseUrl}/#/repositories/hosted/${REPO}`);
    const form = page.getByRole('form', { name: 'Hosted repository' });
    // The picker offers the policies that exist (GET /cleanup-policies): tick the one created above.
    const policies = form.getByRole('group', { name: 'Cleanup policies' });
    await policies.getByRole('checkbox', { name: /old-prs/ }).check();
    expect(await policies.getByRole('checkbox').count()).toBe((await wharf.rest.get(`${REST}/cleanup-policies`)).json<CleanupPolicyJson[]>().length);
    await form.getByRole('button', { name: /^Save/ }).click();
    await notice('Saved.').waitFor();
    const config = (await wharf.rest.get(`${REST}/repositories/docker/hosted/${REPO}`)).json<{ cleanup: { policyNames: string[] } }>();
    expect(config.cleanup.policyNames).toEqual(['old-prs']);

    await nav('Storage').click();
    await page.getByRole('navigation', { name: 'Storage sections' }).getByRole('link', { name: 'Tasks' }).click();
    await h1('Tasks').waitFor();
    const row = page.locator('tbody tr', { hasText: 'Cleanup policies and garbage collection' });
    await row.getByRole('button', { name: 'Run now' }).click();
    await notice('Started Cleanup policies and garbage collection.').waitFor();
    await row.getByText('freed').waitFor({ timeout: 90_000 });
    await row.getByRole('button', { name: 'Run now' }).waitFor();
    await shot('tasks-after-cleanup');
    const task = (await wharf.rest.get(`${REST}/tasks/cleanup`)).json<{ lastRunResult: string; lastRunSummary: { bytesFreed: number; tagsDeleted: number } }>();
    expect(task.lastRunResult).toBe('OK');
    expect(task.lastRunSummary.tagsDeleted).toBe(1);
    const shown = await text(row);
    expect(shown).toContain('1 tag deleted');
    expect(shown).toContain('OK');
    expectShownSize(/, ([\d.]+ [kMG]?B) freed/.exec(shown)![1]!, task.lastRunSummary.bytesFreed, 'bytes freed');
    const prUnique = pr.manifest.size + pr.config.size + pr.layers.reduce((n, l) => n + l.size, 0);
    expect(task.lastRunSummary.bytesFreed).toBe(prUnique);

    expect((await client.getManifest('team/app', 'pr-7')).status).toBe(404);
    const pulled = await client.pull('team/app', 'v1');
    expect(pulled.layers.map((l) => [l.status, l.digest])).toEqual(kept.layers.map((l) => [200, l.digest]));
  });

  it('the repository list shows each repository’s status and size as the REST API reports them, and Browse shows which member of a group holds each tag', async () => {
    // A second hosted repository with another image under the same tag, a proxy whose remote refuses
    // connections (nothing listens on port 9), and a group over the three.
    const second = await wharf.hostedClient(SECOND);
    const other = await buildDiskImage(join(tmp, 'other'), { layers: [250_000], format: 'docker' });
    await second.pushImage('team/app', 'v1', other);
    await wharf.createProxyRepo(DOWN, { remoteUrl: 'http://127.0.0.1:9/' });
    expect((await wharf.rest.get(`/repository/${DOWN}/v2/library/nothing/manifests/1`)).status).toBeGreaterThanOrEqual(400);
    const created = await wharf.rest.post(`${REST}/repositories/docker/group`, {
      name: GROUP,
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true },
      group: { memberNames: [REPO, SECOND, DOWN], writableMember: null },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null },
    });
    expect(created.status, created.text()).toBe(201);
    const statuses = (await wharf.rest.get(`${REST}/repositoryStatus`)).json<RepositoryStatusSummaryJson[]>();
    const status = (name: string) => statuses.find((s) => s.name === name)!;
    expect(status(DOWN).upstream).toMatchObject({ reachable: false });
    expect(status(SECOND).storage.totalSizeInBytes).toBe(other.manifest.size + other.config.size + other.layers.reduce((n, l) => n + l.size, 0));

    await nav('Repositories').click();
    await h1('Repositories').waitFor();
    const row = (name: string) => page.locator('tbody tr', { has: page.getByRole('link', { name, exact: true }) });
    const cell = (name: string, column: string) => row(name).locator(`td[data-label="${column}"]`);
    await cell(REPO, 'Status').getByText('online', { exact: true }).waitFor();
    expect(await text(cell(DOWN, 'Status'))).toMatch(/^(remote unavailable|auto-blocked)$/);
    expect(await cell(DOWN, 'Status').locator('[title]').getAttribute('title')).toContain(status(DOWN).upstream!.lastFailure!.message);
    for (const name of [REPO, SECOND, DOWN]) expectShownSize(await text(cell(name, 'Size')), status(name).storage.totalSizeInBytes, `size of ${name}`);
    const groupSize = await text(cell(GROUP, 'Size'));
    expect(groupSize).toMatch(/ in members$/);
    expectShownSize(groupSize.replace(/ in members$/, ''), status(GROUP).storage.totalSizeInBytes, 'size of the group');
    await shot('repository-list-status-size');

    await page.goto(`${wharf.baseUrl}/#/browse/${GROUP}`);
    const image = page.getByRole('link', { name: 'team/app', exact: true });
    await image.waitFor();
    expect(await text(page.locator('tbody tr', { has: image }).locator('td[data-label="Members"]'))).toBe(`${REPO}, ${SECOND}`);
    await image.click();
    await h1('team/app').waitFor();
    const rows = page.locator('tbody tr', { has: page.getByRole('link', { name: 'v1', exact: true }) });
    await rows.nth(1).waitFor();
    const shown = [];
    for (const i of [0, 1]) shown.push([await text(rows.nth(i).locator('td[data-label="Member"]')), await rows.nth(i).locator('td[data-label="Digest"]').getAttribute('title')]);
    expect(shown.sort()).toEqual([
      [`${REPO} served by the group`, kept.manifest.digest],
      [`${SECOND} shadowed by ${REPO}`, other.manifest.digest],
    ]);
    await shot('browse-group-members');
    // What a pull through the group gets is the tag of the member the UI says serves it.
    const pulled = await wharf.adminClient(wharf.baseUrl, `/repository/${GROUP}/v2`).getManifest('team/app', 'v1');
    expect(pulled.status).toBe(200);
    expect(pulled.headers['docker-content-digest']).toBe(kept.manifest.digest);
  });

  it('Browse shows the image’s stored size and the bytes only it holds', async () => {
    await page.goto(`${wharf.baseUrl}/#/browse/${REPO}/${encodeURIComponent('team/app')}/v1`);
    await h1('team/app:v1').waitFor();
    await fact(page, 'Only this image').waitFor();
    const size = (await wharf.rest.get(`${REST}/repositories/${REPO}/image-size?image=team/app&digest=${kept.manifest.digest}`)).json<ImageSizeJson>();
    expect(size.totalBytes).toBe(kept.manifest.size + kept.config.size + kept.layers.reduce((n, l) => n + l.size, 0));
    expectShownSize((await text(fact(page, 'Stored size'))).split(' ').slice(0, 2).join(' '), size.totalBytes, 'stored size');
    expectShownSize((await text(fact(page, 'Only this image'))).split(' ').slice(0, 2).join(' '), size.uniqueBytes, 'bytes only this image holds');
    await shot('browse-image-size');

    expect(problems.pageErrors, 'uncaught errors in the page').toEqual([]);
    expect(problems.serverErrors, 'server errors or failed requests seen by the page').toEqual([]);
    expect(problems.consoleErrors, 'console errors in the page').toEqual([]);
  });
});
