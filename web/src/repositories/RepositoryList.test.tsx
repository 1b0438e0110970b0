import { screen, within } from '@testing-library/react';
import type { RepositorySummary } from '@wharf/api-types';
import { describe, expect, it } from 'vitest';
import { renderWithApi } from '../test-utils';
import { summary } from '../test/fixtures';
import { RepositoryList } from './RepositoryList';

const PROXY: RepositorySummary = { ...summary('docker-hub', 'proxy'), attributes: { docker: { httpPort: null, httpsPort: null }, proxy: { remoteUrl: 'https://registry-1.docker.io' } } };
const GROUP: RepositorySummary = { ...summary('docker-group', 'group', 8181), attributes: { docker: { httpPort: 8181, httpsPort: 8443 }, group: { memberNames: ['docker-hosted', 'docker-hub'] } } };

describe('RepositoryList', () => {
  it("shows each proxy's remote URL, each group's members, both connector ports, and URLs that break only after a slash", async () => {
    renderWithApi(<RepositoryList />, { 'GET /service/rest/v1/repositories': { json: [PROXY, GROUP, summary('docker-hosted', 'hosted', 8182)] } });
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
});
