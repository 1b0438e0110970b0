import { screen, waitFor, within } from '@testing-library/react';
import type { RepositoryStatusSummaryJson, RepositorySummary } from '@wharf/api-types';
import { describe, expect, it } from 'vitest';
import { renderWithApi } from '../test-utils';
import { summary } from '../test/fixtures';
import { RepositoryList } from './RepositoryList';

const PROXY: RepositorySummary = { ...summary('docker-hub', 'proxy'), attributes: { docker: { httpPort: null, httpsPort: null }, proxy: { remoteUrl: 'https://registry-1.docker.io' } } };
const GROUP: RepositorySummary = { ...summary('docker-group', 'group', 8181), attributes: { docker: { httpPort: 8181, httpsPort: 8443 }, group: { memberNames: ['docker-hosted', 'docker-hub'] } } };

const UPSTREAM = { remoteUrl: 'https://registry-1.docker.io', reachable: true, lastSuccessAt: '2030-01-01T10:00:00.000Z', lastFailure: null, blocked: false, autoBlocked: false, autoBlockedUntil: null };
const status = (name: string, type: RepositoryStatusSummaryJson['type'], extra: Partial<RepositoryStatusSummaryJson> = {}): RepositoryStatusSummaryJson => ({
  name,
  type,
  online: true,
  upstream: type === 'proxy' ? UPSTREAM : null,
  storage: { blobCount: 3, totalSizeInBytes: 1_500_000 },
  ...extra,
});
const STATUS = 'GET /service/rest/v1/repositoryStatus';

describe('RepositoryList', () => {
  it("shows each proxy's remote URL, each group's members, both connector ports, and URLs that break only after a slash", async () => {
    renderWithApi(<RepositoryList />, { 'GET /service/rest/v1/repositories': { json: [PROXY, GROUP, summary('docker-hosted', 'hosted', 8182)] }, [STATUS]: { json: [] } });
    const row = async (name: string) => (await screen.findByRole('link', { name })).closest('tr')!;
    const proxy = await row('docker-hub');
    expect(proxy.textContent).toContain('https://registry-1.docker.io');
    const group = await row('docker-group');
    expect(within(group).getByText('docker-hosted, docker-hub')).toBeTruthy();
    expect(group.textContent).toContain('8181, HTTPS 8443');
    const hosted = await row('docker-hosted');
    expect(hosted.textContent).toContain('takes pushes');
    const url = hosted.querySelector('td.url-cell')!;
    expect(url.textContent).toBe('http://wharf.example:8081/repository/docker-hosted');
    expect(url.querySelectorAll('wbr')).toHaveLength(4);
    expect(hosted.querySelector('td.nowrap')!.textContent).toBe('docker-hosted');
  });

  it('shows each repository’s status (a proxy’s upstream health) and size, from one request', async () => {
    const failure = { at: '2030-01-01T10:05:00.000Z', message: 'cannot reach upstream: ECONNREFUSED' };
    const { calls } = renderWithApi(<RepositoryList />, {
      'GET /service/rest/v1/repositories': {
        json: [PROXY, { ...PROXY, name: 'quay' }, { ...PROXY, name: 'ghcr' }, { ...PROXY, name: 'gcr' }, GROUP, summary('docker-hosted', 'hosted', 8182), summary('old', 'hosted')],
      },
      [STATUS]: {
        json: [
          status('docker-hub', 'proxy', { storage: { blobCount: 10, totalSizeInBytes: 123_400_000 } }),
          status('quay', 'proxy', { upstream: { ...UPSTREAM, reachable: false, lastFailure: failure } }),
          status('ghcr', 'proxy', { upstream: { ...UPSTREAM, reachable: false, lastFailure: failure, autoBlocked: true, autoBlockedUntil: '2030-01-01T10:10:00.000Z' } }),
          status('gcr', 'proxy', { upstream: { ...UPSTREAM, blocked: true } }),
          status('docker-group', 'group', { storage: { blobCount: 12, totalSizeInBytes: 124_000_000 } }),
          status('docker-hosted', 'hosted', { storage: { blobCount: 0, totalSizeInBytes: 0 } }),
          status('old', 'hosted', { online: false }),
        ],
      },
    });
    const cell = async (name: string, column: string) => (await screen.findByRole('link', { name })).closest('tr')!.querySelector(`td[data-label="${column}"]`)!;
    await waitFor(async () => expect((await cell('docker-hub', 'Status')).textContent).toBe('online'));
    expect((await cell('docker-hub', 'Size')).textContent).toBe('123 MB');
    expect((await cell('quay', 'Status')).textContent).toBe('remote unavailable');
    expect((await cell('quay', 'Status')).querySelector('[title]')!.getAttribute('title')).toContain('ECONNREFUSED');
    expect((await cell('ghcr', 'Status')).textContent).toBe('auto-blocked');
    expect((await cell('gcr', 'Status')).textContent).toBe('blocked');
    expect((await cell('old', 'Status')).textContent).toBe('offline');
    expect((await cell('docker-hosted', 'Size')).textContent).toBe('0 B');
    const group = await cell('docker-group', 'Size');
    expect(group.textContent).toBe('124 MB in members');
    expect(group.querySelector('[title]')!.getAttribute('title')).toMatch(/A group stores nothing itself/);
    expect(calls.filter((c) => c.url.includes('repositoryStatus'))).toHaveLength(1);
  });

  it('when the status cannot be read, the list still shows, with — and the reason on hover', async () => {
    renderWithApi(<RepositoryList />, {
      'GET /service/rest/v1/repositories': { json: [summary('docker-hosted', 'hosted', 8182)] },
      [STATUS]: { status: 500, json: { status: 500, message: 'database down' } },
    });
    const row = (await screen.findByRole('link', { name: 'docker-hosted' })).closest('tr')!;
    await waitFor(() => expect(row.querySelector('td[data-label="Size"]')!.textContent).toBe('—'));
    expect(row.querySelector('td[data-label="Status"] [title]')!.getAttribute('title')).toContain('database down');
  });
});
