import type { BlobStoreSummaryJson, CleanupPolicyJson, CleanupPreviewJson, TaskJson } from '@wharf/api-types';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Blob, type Manifest, imageManifest, randomBlob, randomConfig } from '@wharf/test-kit';
import { fieldIds } from '../support/rest';
import { type HostedFixture, hostedFixture } from '../support/setup';
import { runTask, setGrace, storedBlobs } from '../support/tasks';
import { useTestWharf } from '../support/wharf';

// Cleanup policies (REST, preview) and the cleanup task freeing space right away: one hosted repository
// with images that share a base layer, a policy deleting `pr-*` tags, the task run through the REST API.

const wharf = useTestWharf();
let repo: HostedFixture;
const POLICIES = '/service/rest/v1/cleanup-policies';

const policy = (name: string, extra: Partial<CleanupPolicyJson> = {}): CleanupPolicyJson => ({
  name,
  notes: '',
  format: 'docker',
  criteriaLastBlobUpdated: null,
  criteriaLastDownloaded: null,
  criteriaAssetRegex: null,
  retain: null,
  criteriaUntagged: false,
  ...extra,
});

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'lc-hosted', { httpPort: null });
});

describe('REST /service/rest/v1/cleanup-policies', () => {
  it('creates, reads, lists, changes and deletes a policy', async () => {
    expect((await wharf.http.sendJson('POST', POLICIES, policy('crud', { criteriaAssetRegex: '.*:pr-.*', criteriaLastBlobUpdated: 7, notes: 'PR builds' }))).status).toBe(201);
    const got = await wharf.http.get(`${POLICIES}/crud`);
    expect(got.json()).toEqual(policy('crud', { criteriaAssetRegex: '.*:pr-.*', criteriaLastBlobUpdated: 7, notes: 'PR builds' }));
    expect((await wharf.http.get(POLICIES)).json<CleanupPolicyJson[]>().map((p) => p.name)).toContain('crud');
    expect((await wharf.http.sendJson('PUT', `${POLICIES}/crud`, policy('crud', { retain: 10 }))).status).toBe(204);
    expect((await wharf.http.get(`${POLICIES}/crud`)).json<CleanupPolicyJson>()).toMatchObject({ retain: 10, criteriaAssetRegex: null });
    expect((await wharf.http.delete(`${POLICIES}/crud`)).status).toBe(204);
    expect((await wharf.http.get(`${POLICIES}/crud`)).status).toBe(404);
  });

  it.each<[string, Partial<CleanupPolicyJson>, string]>([
    ['no criterion', {}, '*'],
    ['days below 1', { criteriaLastDownloaded: 0 }, 'criteriaLastDownloaded'],
    ['an RE2-unsupported regex', { criteriaAssetRegex: '(a)\\1' }, 'criteriaAssetRegex'],
    ['retain on an untagged policy', { criteriaUntagged: true, retain: 2 }, 'retain'],
    ['another format', { format: 'maven2' as 'docker', retain: 2 }, 'format'],
    ['a bad name', { name: '../x', retain: 2 }, 'name'],
  ])('refuses %s with 400 naming the field', async (_what, extra, field) => {
    const res = await wharf.http.sendJson('POST', POLICIES, policy('bad', extra));
    expect(res.status, res.text()).toBe(400);
    expect(fieldIds(res)).toContain(field);
  });

  it('refuses a repository naming an unknown policy, and deleting a policy in use', async () => {
    const created = await wharf.http.sendJson('POST', '/service/rest/v1/repositories/docker/hosted', {
      name: 'lc-unknown-policy',
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW' },
      cleanup: { policyNames: ['nope'] },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null },
    });
    expect(created.status).toBe(400);
    expect(fieldIds(created)).toEqual(['cleanup.policyNames']);

    expect((await wharf.http.sendJson('POST', POLICIES, policy('in-use', { retain: 3 }))).status).toBe(201);
    await setPolicies('lc-hosted', ['in-use']);
    const refused = await wharf.http.delete(`${POLICIES}/in-use`);
    expect(refused.status).toBe(400);
    expect(refused.text()).toContain('lc-hosted');
    await setPolicies('lc-hosted', []);
    expect((await wharf.http.delete(`${POLICIES}/in-use`)).status).toBe(204);
  });

  it('is for administrators only', async () => {
    expect((await wharf.anonymous.get(POLICIES)).status).toBe(401);
  });
});

async function setPolicies(name: string, policyNames: string[]): Promise<void> {
  const current = (await wharf.http.get(`/service/rest/v1/repositories/docker/hosted/${name}`)).json<Record<string, unknown>>();
  const res = await wharf.http.sendJson('PUT', `/service/rest/v1/repositories/docker/hosted/${name}`, { ...current, cleanup: { policyNames } });
  expect(res.status, res.text()).toBe(204);
}

describe('preview and the cleanup task', () => {
  let base: Blob;
  let keep: Manifest;
  let pr: Manifest;

  beforeAll(async () => {
    base = randomBlob(300_000);
    keep = imageManifest({ config: randomConfig(), layers: [base, randomBlob(100_000)] });
    pr = imageManifest({ config: randomConfig(), layers: [base, randomBlob(200_000), randomBlob(50_000)] });
    await repo.prefixed.pushImage('app', 'v1', keep);
    await repo.prefixed.pushImage('app', 'pr-17', pr);
    expect((await wharf.http.sendJson('POST', POLICIES, policy('old-prs', { criteriaAssetRegex: 'app:pr-.*' }))).status).toBe(201);
  });

  /** What only the pr image holds: its manifest, config and own layers (the base is shared with v1). */
  const prUnique = () => pr.size + pr.blobs.filter((b) => b.digest !== base.digest).reduce((n, b) => n + b.size, 0);

  it('previews what a stored policy, or criteria not saved yet, would remove, with the bytes it would free', async () => {
    const byName = await wharf.http.sendJson('POST', `${POLICIES}/preview`, { repository: 'lc-hosted', policyName: 'old-prs' });
    expect(byName.status, byName.text()).toBe(200);
    const preview = byName.json<CleanupPreviewJson>();
    expect(preview.items.map((i) => `${i.image}:${i.tag}`)).toEqual(['app:pr-17']);
    expect(preview.items[0]).toMatchObject({ digest: pr.digest, lastDownloaded: null });
    expect(preview.totals).toEqual({ tags: 1, manifests: 1, images: 0, bytes: prUnique() });
    expect(preview.truncated).toBe(false);

    // a whole policy not saved yet (as the UI's editor sends it): name, notes and format are ignored
    const inline = await wharf.http.sendJson('POST', `${POLICIES}/preview`, { repository: 'lc-hosted', policy: policy('draft', { criteriaAssetRegex: 'app:.*' }) });
    expect(inline.json<CleanupPreviewJson>().totals).toMatchObject({ tags: 2, manifests: 2, images: 1 });
    // nothing was deleted by a preview
    expect((await repo.prefixed.getManifest('app', 'pr-17')).status).toBe(200);

    expect((await wharf.http.sendJson('POST', `${POLICIES}/preview`, { repository: 'nope', policyName: 'old-prs' })).status).toBe(404);
    expect((await wharf.http.sendJson('POST', `${POLICIES}/preview`, { repository: 'lc-hosted' })).status).toBe(400);
  });

  it('the cleanup task applies the policy and frees the unique bytes at once; the image sharing the base still pulls', async () => {
    await setPolicies('lc-hosted', ['old-prs']);
    await setGrace(wharf.http, 'cleanup', 0);
    const before = await storedBlobs(wharf.dataDir);
    const task = await runTask(wharf.http, 'cleanup');
    expect(task.lastRunResult, JSON.stringify(task)).toBe('OK');
    expect(task.lastRunSummary).toMatchObject({ repositories: 1, tagsDeleted: 1, manifestsDeleted: 1, blobsDeleted: pr.blobs.length, bytesFreed: prUnique() });
    const after = await storedBlobs(wharf.dataDir);
    expect(before.bytes - after.bytes).toBe(prUnique());
    for (const blob of pr.blobs) expect(after.digests.has(blob.digest)).toBe(blob.digest === base.digest);
    expect(after.digests.has(pr.digest)).toBe(false);

    expect((await repo.prefixed.getManifest('app', 'pr-17')).status).toBe(404);
    expect((await repo.prefixed.getManifest('app', pr.digest)).status).toBe(404);
    const v1 = await repo.prefixed.getManifest('app', 'v1');
    expect(v1.status).toBe(200);
    for (const blob of keep.blobs) {
      const res = await repo.prefixed.getBlob('app', blob.digest);
      expect(res.status).toBe(200);
      expect(res.body.equals(blob.bytes)).toBe(true);
    }
    await setPolicies('lc-hosted', []);
  });

  it('reports the store size the collection measured, and Prometheus counts what it freed', async () => {
    const stores = (await wharf.http.get('/service/rest/v1/blobstores')).json<BlobStoreSummaryJson[]>();
    const disk = await storedBlobs(wharf.dataDir);
    expect(stores.find((s) => s.name === 'default')).toMatchObject({ type: 'File', blobCount: disk.count, totalSizeInBytes: disk.bytes, unavailable: false });
    const metrics = (await wharf.http.get('/service/metrics/prometheus')).text();
    expect(metrics).toMatch(/wharf_gc_bytes_freed_total\{store="default"\} [1-9]/);
    expect(metrics).toMatch(/wharf_task_runs_total\{task="cleanup",result="OK"\} [1-9]/);
    expect(metrics).toMatch(/wharf_blobstore_size_bytes\{store="default"\} \d+/);
  });
});

describe('REST /service/rest/v1/tasks', () => {
  it('lists the built-in tasks with Nexus fields and their schedules', async () => {
    const res = await wharf.http.get('/service/rest/v1/tasks');
    expect(res.status).toBe(200);
    const { items, continuationToken } = res.json<{ items: TaskJson[]; continuationToken: null }>();
    expect(continuationToken).toBeNull();
    expect(items.map((t) => t.id).sort()).toEqual(['blobstore-usage', 'cleanup', 'proxy-eviction', 'upload-purge']);
    const cleanup = items.find((t) => t.id === 'cleanup')!;
    expect(cleanup).toMatchObject({ type: 'repository.cleanup', currentState: 'WAITING', schedule: { type: 'daily', time: '02:00' } });
    expect(Date.parse(cleanup.nextRun!)).toBeGreaterThan(Date.now());
  });

  it('changes a schedule, validates it, and answers 404/409 where due', async () => {
    expect((await wharf.http.sendJson('PUT', '/service/rest/v1/tasks/upload-purge', { schedule: { type: 'hourly', minute: 30 } })).status).toBe(204);
    const task = (await wharf.http.get('/service/rest/v1/tasks/upload-purge')).json<TaskJson>();
    expect(task.schedule).toEqual({ type: 'hourly', minute: 30 });
    expect(new Date(task.nextRun!).getUTCMinutes()).toBe(30);
    const bad = await wharf.http.sendJson('PUT', '/service/rest/v1/tasks/upload-purge', { schedule: { type: 'daily', time: '25:00' } });
    expect(bad.status).toBe(400);
    expect(fieldIds(bad)).toEqual(['schedule']);
    expect((await wharf.http.sendJson('PUT', '/service/rest/v1/tasks/cleanup', { properties: { nope: 1 } })).status).toBe(400);
    expect((await wharf.http.get('/service/rest/v1/tasks/nope')).status).toBe(404);
    expect((await wharf.http.post('/service/rest/v1/tasks/nope/run')).status).toBe(404);
    expect((await wharf.http.post('/service/rest/v1/tasks/upload-purge/stop')).status).toBe(409);
  });

  it('keeps each run with its result and log', async () => {
    const task = await runTask(wharf.http, 'blobstore-usage');
    expect(task.lastRunResult).toBe('OK');
    const runs = (await wharf.http.get('/service/rest/v1/tasks/blobstore-usage/runs')).json<{ result: string; log: string; summary: Record<string, unknown> }[]>();
    expect(runs[0]!.result).toBe('OK');
    expect(runs[0]!.log).toContain('default:');
    expect(runs[0]!.summary).toHaveProperty('stores.default');
  });
});

describe('REST /service/rest/v1/blobstores', () => {
  it('reports the quota status of a soft quota, both kinds', async () => {
    const used = (await wharf.http.get('/service/rest/v1/blobstores')).json<BlobStoreSummaryJson[]>().find((s) => s.name === 'default')!.totalSizeInBytes;
    const set = (softQuota: unknown) => wharf.http.sendJson('PUT', '/service/rest/v1/blobstores/file/default', { name: 'default', softQuota });
    const status = async () => (await wharf.http.get('/service/rest/v1/blobstores/default/quota-status')).json<{ isViolation: boolean; message: string }>();

    expect((await status()).isViolation).toBe(false);
    expect((await set({ type: 'spaceUsedQuota', limit: Math.max(1, used - 1) })).status).toBe(204);
    expect(await status()).toMatchObject({ isViolation: true, blobStoreName: 'default' });
    expect((await set({ type: 'spaceUsedQuota', limit: used + 1_000_000 })).status).toBe(204);
    expect((await status()).isViolation).toBe(false);
    expect((await set({ type: 'spaceRemainingQuota', limit: Number.MAX_SAFE_INTEGER })).status).toBe(204);
    expect((await status()).isViolation).toBe(true);
    expect((await wharf.http.get('/service/rest/v1/blobstores/file/default')).json()).toMatchObject({ name: 'default', softQuota: { type: 'spaceRemainingQuota' } });
    expect((await set({ type: 'nope', limit: 1 })).status).toBe(400);
    expect((await set(null)).status).toBe(204);
    expect((await wharf.http.get('/service/rest/v1/blobstores')).json<BlobStoreSummaryJson[]>()[0]!.softQuota).toBeNull();
    expect((await wharf.http.get('/service/rest/v1/blobstores/nope/quota-status')).status).toBe(404);
  });

  it('keeps the measured sizes over time for the chart', async () => {
    const res = await wharf.http.get('/service/rest/v1/blobstores/default/usage-history?days=1');
    expect(res.status).toBe(200);
    const samples = res.json<{ at: string; totalBytes: number }[]>();
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(Date.parse(samples.at(-1)!.at)).toBeGreaterThanOrEqual(Date.parse(samples[0]!.at));
  });
});
