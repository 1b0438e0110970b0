import { screen, within } from '@testing-library/react';
import type { ProxyStatusJson } from '@wharf/api-types';
import { describe, expect, it } from 'vitest';
import { renderWithApi } from '../test-utils';
import { summary } from '../test/fixtures';
import { Dashboard } from './Dashboard';
import { recordSample } from './history';

const STATUS: ProxyStatusJson = {
  name: 'docker-hub',
  type: 'proxy',
  online: true,
  upstream: {
    remoteUrl: 'https://registry-1.docker.io',
    reachable: true,
    lastSuccessAt: new Date(Date.now() - 60_000).toISOString(),
    lastFailure: null,
    blocked: false,
    autoBlocked: false,
    autoBlockedUntil: null,
  },
  rateLimit: { limit: 100, remaining: 76, source: 'docker.io', observedAt: new Date().toISOString() },
  counters: { cacheHits: 30, cacheMisses: 10, bytesFromCache: 3_000_000_000, bytesFromUpstream: 1_000_000_000, staleServed: 0, upstreamFailures: 0, upstreamRequests: { manifest: 4 } },
  fillsInFlight: 0,
};

describe('Dashboard', () => {
  it('with no repositories: a three-step setup whose buttons open prefilled forms', async () => {
    renderWithApi(<Dashboard />, { 'GET /service/rest/v1/repositories': { json: [] } });
    expect(await screen.findByRole('heading', { name: 'Set up Wharf in three steps' })).toBeTruthy();
    const hub = screen.getByRole('link', { name: 'Create the Docker Hub proxy' });
    expect(decodeURIComponent(hub.getAttribute('href')!)).toBe('#/repositories/new/proxy?preset=hub&name=docker-hub&return=/');
    expect(decodeURIComponent(screen.getByRole('link', { name: 'Create the hosted repository' }).getAttribute('href')!)).toContain('name=docker-hosted&port=8182');
    expect(decodeURIComponent(screen.getByRole('link', { name: 'Create the group' }).getAttribute('href')!)).toContain('name=docker-group&port=8181');
  });

  it('offers anonymous access as a fourth step while it is off (docker pulls through a mirror send no credentials)', async () => {
    renderWithApi(<Dashboard />, {
      'GET /service/rest/v1/repositories': { json: [] },
      'GET /service/rest/v1/security/anonymous': { json: { enabled: false, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' } },
    });
    expect(await screen.findByRole('heading', { name: 'Set up Wharf in four steps' })).toBeTruthy();
    expect(screen.getByText(/docker pull through the group answers "unauthorized"/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Turn on anonymous access' }).getAttribute('href')).toBe('#/security/anonymous');
  });

  it('counts anonymous access as done once it is on', async () => {
    renderWithApi(<Dashboard />, {
      'GET /service/rest/v1/repositories': { json: [summary('docker-hub', 'proxy')] },
      'GET /service/rest/v1/security/anonymous': { json: { enabled: true, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' } },
    });
    expect(await screen.findByRole('heading', { name: /Let Docker daemons pull without credentials.*\(done\)/ })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Turn on anonymous access' })).toBeNull();
  });

  it('shows each repository; proxies with upstream, rate limit, hit ratio chart and bytes', async () => {
    window.sessionStorage.clear();
    recordSample('docker-hub', { t: Date.now() - 20_000, hits: 10, misses: 10 });
    renderWithApi(<Dashboard />, {
      'GET /service/rest/v1/repositories': { json: [summary('docker-hub', 'proxy'), summary('docker-hosted', 'hosted', 8182)] },
      'GET /service/rest/v1/repositories/docker-hub/status': { json: STATUS },
      'GET /service/rest/v1/repositories/docker-hosted/status': { json: { name: 'docker-hosted', type: 'hosted', online: false } },
    });
    const hub = (await screen.findByRole('heading', { name: 'docker-hub' })).closest('article')!;
    await within(hub).findByText('75%');
    expect(within(hub).getByText('reachable')).toBeTruthy();
    expect(within(hub).getByText('76')).toBeTruthy();
    expect(hub.textContent).toContain('of 100 left');
    expect(hub.textContent).toContain('3 GB from cache · 1 GB from upstream');
    expect(within(hub).getByRole('img', { name: /Cache hit ratio of docker-hub over this session: 2 samples, from 50% to 75%/ })).toBeTruthy();
    expect(hub.textContent).toContain('none (path routing only)');
    const hosted = screen.getByRole('heading', { name: 'docker-hosted' }).closest('article')!;
    expect(await within(hosted).findByText('offline')).toBeTruthy();
    expect(hosted.textContent).toContain(':8182');
    // the setup guide still offers the missing group
    expect(screen.getByRole('link', { name: 'Create the group' })).toBeTruthy();
  });
});
