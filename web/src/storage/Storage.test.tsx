import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { BlobStoreSummaryJson, CleanupPolicyJson, CleanupPreviewJson, TaskJson } from '@wharf/api-types';
import { describe, expect, it } from 'vitest';
import { renderWithApi } from '../test-utils';
import { REPOSITORIES } from '../test/fixtures';
import { BlobStoreUsage } from './BlobStoreUsage';
import { StoragePage } from './StoragePage';

const API = '/service/rest/v1';

const OLD_PRS: CleanupPolicyJson = {
  name: 'old-prs',
  notes: 'PR builds',
  format: 'docker',
  criteriaLastBlobUpdated: 7,
  criteriaLastDownloaded: null,
  criteriaAssetRegex: '.*:pr-.*',
  retain: null,
  criteriaUntagged: false,
};

const PREVIEW: CleanupPreviewJson = {
  repository: 'docker-hosted',
  items: [{ image: 'app', tag: 'pr-17', digest: `sha256:${'a'.repeat(64)}`, lastUpdated: new Date(Date.now() - 9 * 86_400_000).toISOString(), lastDownloaded: null }],
  truncated: false,
  totals: { tags: 1, manifests: 1, images: 0, bytes: 2_500_000 },
};

function task(extra: Partial<TaskJson>): TaskJson {
  return {
    id: 'cleanup',
    name: 'Cleanup policies and garbage collection',
    type: 'repository.cleanup',
    message: null,
    currentState: 'WAITING',
    lastRun: null,
    lastRunResult: null,
    nextRun: new Date(Date.now() + 3_600_000).toISOString(),
    schedule: { type: 'daily', time: '02:00' },
    properties: { gracePeriodMinutes: 120 },
    lastRunDurationMs: null,
    lastRunSummary: null,
    ...extra,
  };
}

describe('cleanup policies page', () => {
  it('lists the policies in words and previews a stored one on a chosen repository', async () => {
    const { calls } = renderWithApi(<StoragePage tab="policies" />, {
      [`GET ${API}/cleanup-policies`]: { json: [OLD_PRS] },
      [`GET ${API}/repositories`]: { json: REPOSITORIES },
      [`POST ${API}/cleanup-policies/preview`]: { json: PREVIEW },
    });
    const row = (await screen.findByText('old-prs')).closest('tr')!;
    expect(row.textContent).toContain('tags, matching .*:pr-.*, updated more than 7 days ago');
    fireEvent.click(within(row).getByRole('button', { name: 'Preview' }));
    const panel = await screen.findByRole('region', { name: 'Preview of old-prs' });
    fireEvent.change(await within(panel).findByLabelText('Repository'), { target: { value: 'docker-hub' } });
    fireEvent.click(await within(panel).findByRole('button', { name: 'Show what would go' }));
    expect(await within(panel).findByText('pr-17')).toBeTruthy();
    expect(panel.textContent).toContain('A run would remove 1 tag and 1 manifest from docker-hosted and free 2.5 MB.');
    expect(within(panel).getByText('never')).toBeTruthy();
    expect(JSON.parse(calls.find((c) => c.method === 'POST')!.body!)).toEqual({ repository: 'docker-hub', policyName: 'old-prs' });
  });

  it('creates a policy; criteria not saved yet can be previewed first; errors are shown at the fields', async () => {
    let attempt = 0;
    const { calls } = renderWithApi(<StoragePage tab="policies" />, {
      [`GET ${API}/cleanup-policies`]: { json: [] },
      [`GET ${API}/repositories`]: { json: REPOSITORIES },
      [`POST ${API}/cleanup-policies/preview`]: { json: { ...PREVIEW, items: [], totals: { tags: 0, manifests: 0, images: 0, bytes: 0 } } },
      [`POST ${API}/cleanup-policies`]: () =>
        ++attempt === 1 ? { status: 400, json: [{ id: 'criteriaAssetRegex', message: 'criteriaAssetRegex is not a valid RE2 expression' }] } : { status: 201 },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'New cleanup policy' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create policy' }));
    expect(screen.getByText('Set at least one criterion.')).toBeTruthy();
    expect(screen.getByText(/Up to 200 letters/)).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'keep-ten' } });
    fireEvent.change(screen.getByLabelText('Keep the newest (per image)'), { target: { value: 'ten' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create policy' }));
    expect(screen.getByText('A whole number, at least 1 (or empty).')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Keep the newest (per image)'), { target: { value: '10' } });
    fireEvent.change(screen.getByLabelText('Name matches'), { target: { value: '(a)\\1' } });

    fireEvent.click(screen.getByRole('button', { name: 'Preview these criteria' }));
    const panel = await screen.findByRole('region', { name: /^Preview: tags, matching/ });
    fireEvent.click(await within(panel).findByRole('button', { name: 'Show what would go' }));
    expect(await within(panel).findByText('Nothing in docker-hosted matches: a run would remove nothing.')).toBeTruthy();
    const preview = JSON.parse(calls.find((c) => c.url.endsWith('/preview'))!.body!);
    expect(preview).toEqual({ repository: 'docker-hosted', policy: { ...OLD_PRS, name: 'keep-ten', notes: '', criteriaLastBlobUpdated: null, criteriaAssetRegex: '(a)\\1', retain: 10 } });

    fireEvent.click(screen.getByRole('button', { name: 'Create policy' }));
    expect(await screen.findByText('criteriaAssetRegex is not a valid RE2 expression')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Name matches'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create policy' }));
    expect(await screen.findByText('Saved cleanup policy keep-ten.')).toBeTruthy();
    const created = calls.filter((c) => c.method === 'POST' && c.url.endsWith('/cleanup-policies')).map((c) => JSON.parse(c.body!));
    expect(created[1]).toEqual({ ...OLD_PRS, name: 'keep-ten', notes: '', criteriaLastBlobUpdated: null, criteriaAssetRegex: null, retain: 10 });
  });

  it('edits a policy: the name stays, untagged hides retain and sends it as null', async () => {
    const { calls } = renderWithApi(<StoragePage tab="policies" />, {
      [`GET ${API}/cleanup-policies`]: { json: [{ ...OLD_PRS, retain: 3 }] },
      [`GET ${API}/repositories`]: { json: REPOSITORIES },
      [`PUT ${API}/cleanup-policies/old-prs`]: { status: 204 },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    expect((screen.getByLabelText('Name') as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(screen.getByLabelText('Untagged manifests'));
    expect(screen.queryByLabelText('Keep the newest (per image)')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    expect(await screen.findByText('Saved cleanup policy old-prs.')).toBeTruthy();
    expect(JSON.parse(calls.find((c) => c.method === 'PUT')!.body!)).toEqual({ ...OLD_PRS, retain: null, criteriaUntagged: true });
  });
});

describe('tasks page', () => {
  it('shows schedule, last result with its counts, next run; Run now starts the task and the list follows it', async () => {
    let running = false;
    const { calls } = renderWithApi(<StoragePage tab="tasks" />, {
      [`GET ${API}/tasks`]: () => ({
        json: {
          items: [
            task({
              currentState: running ? 'RUNNING' : 'WAITING',
              lastRun: new Date(Date.now() - 3_600_000).toISOString(),
              lastRunResult: 'OK',
              lastRunDurationMs: 2_400,
              lastRunSummary: { tagsDeleted: 3, manifestsDeleted: 3, blobsDeleted: 7, bytesFreed: 12_000_000 },
            }),
            task({ id: 'upload-purge', name: 'Delete incomplete uploads', schedule: { type: 'interval', minutes: 60 }, lastRunResult: 'FAILED', lastRun: new Date().toISOString(), lastRunSummary: { error: 'disk on fire' } }),
          ],
          continuationToken: null,
        },
      }),
      [`POST ${API}/tasks/cleanup/run`]: () => {
        running = true;
        return { status: 204 };
      },
    });
    const row = (await screen.findByText('Cleanup policies and garbage collection')).closest('tr')!;
    expect(row.textContent).toContain('daily at 02:00 UTC');
    expect(row.textContent).toContain('3 tags deleted, 3 manifests deleted, 7 blobs deleted, 12 MB freed');
    expect(row.textContent).toContain('in 2.4 s');
    expect(within(row).getByText('OK')).toBeTruthy();
    const failed = screen.getByText('Delete incomplete uploads').closest('tr')!;
    expect(failed.textContent).toContain('every 60 minutes');
    expect(failed.textContent).toContain('disk on fire');
    expect(within(failed).getByText('failed')).toBeTruthy();

    fireEvent.click(within(row).getByRole('button', { name: 'Run now' }));
    expect(await screen.findByText('Started Cleanup policies and garbage collection.')).toBeTruthy();
    await waitFor(() => expect(within(screen.getByText('Cleanup policies and garbage collection').closest('tr')!).getByRole('button', { name: 'Stop' })).toBeTruthy());
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual([`${API}/tasks/cleanup/run`]);
  });

  it('a 409 (already running) is said, not thrown', async () => {
    renderWithApi(<StoragePage tab="tasks" />, {
      [`GET ${API}/tasks`]: { json: { items: [task({})], continuationToken: null } },
      [`POST ${API}/tasks/cleanup/run`]: { status: 409, json: { status: 409, message: 'task cleanup is already running' } },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Run now' }));
    expect(await screen.findByText(/task cleanup is already running/)).toBeTruthy();
  });
});

describe('blob store usage (dashboard)', () => {
  it('shows size, blobs, free space, a soft quota over its limit, and the size over time', async () => {
    const store: BlobStoreSummaryJson = {
      name: 'default',
      type: 'File',
      unavailable: false,
      blobCount: 1234,
      totalSizeInBytes: 5_000_000_000,
      availableSpaceInBytes: 20_000_000_000,
      softQuota: { type: 'spaceUsedQuota', limit: 4_000_000_000 },
      measuredAt: new Date().toISOString(),
    };
    const day = 86_400_000;
    renderWithApi(<BlobStoreUsage />, {
      [`GET ${API}/blobstores`]: { json: [store] },
      [`GET ${API}/blobstores/default/usage-history?days=30`]: {
        json: [3e9, 4e9, 5e9].map((totalBytes, i) => ({ at: new Date(Date.now() - (2 - i) * day).toISOString(), blobCount: 1000 + i, totalBytes, availableBytes: null })),
      },
    });
    const card = (await screen.findByRole('heading', { name: 'default' })).closest('article')!;
    expect(within(card).getByText('5 GB')).toBeTruthy();
    expect(card.textContent).toContain('1,234 blobs');
    expect(card.textContent).toContain('20 GB');
    expect(within(card).getByText('over soft quota')).toBeTruthy();
    expect(card.textContent).toContain('soft quota: at most 4 GB used');
    expect(await within(card).findByRole('img', { name: 'Size of blob store default over 30 days: 3 samples, from 3 GB to 5 GB' })).toBeTruthy();
  });
});
