import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { componentId } from '@wharf/api-types';
import { describe, expect, it } from 'vitest';
import { REPOSITORIES, summary } from '../test/fixtures';
import { D, component } from '../test/oci-fixtures';
import { renderWithApi } from '../test-utils';
import { ImageList } from './ImageList';
import { TagList } from './TagList';

const page1 = {
  items: [component('ghcr', 'library/busybox', '1.36', D.index), component('ghcr', 'library/busybox', 'latest', D.index), component('ghcr', 'org/app', 'v1', D.amd64)],
  continuationToken: 'tok-2',
};
const page2 = { items: [component('ghcr', 'org/app', 'v2', D.arm64), component('ghcr', 'tools/jq', '1.7', D.arm64, { lastDownloaded: null })], continuationToken: null };

const routes = {
  'GET /service/rest/v1/repositories': { json: REPOSITORIES },
  'GET /service/rest/v1/components?repository=ghcr': { json: page1 },
  'GET /service/rest/v1/components?repository=ghcr&continuationToken=tok-2': { json: page2 },
};

const imageRows = () => within(screen.getByRole('table')).getAllByRole('row').slice(1).map((r) => [...r.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent));

describe('ImageList', () => {
  it('groups components by image, pages with the continuation token, and filters', async () => {
    const { calls } = renderWithApi(<ImageList repository="ghcr" />, routes);
    await screen.findByRole('link', { name: 'library/busybox' });
    expect(imageRows()).toEqual([
      ['library/busybox', '2+'],
      ['org/app', '1+'],
    ]);
    expect(calls.filter((c) => c.url.includes('components'))).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByRole('link', { name: 'tools/jq' });
    expect(imageRows()).toEqual([
      ['library/busybox', '2'],
      ['org/app', '2'],
      ['tools/jq', '1'],
    ]);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    fireEvent.change(screen.getByLabelText('Filter images'), { target: { value: 'APP' } });
    expect(imageRows()).toEqual([['org/app', '2']]);
    expect(screen.getByRole('link', { name: 'org/app' }).getAttribute('href')).toBe('#/browse/ghcr/org%2Fapp');
  });

  it('an empty proxy explains why it has no images', async () => {
    renderWithApi(<ImageList repository="docker-hub" />, {
      ...routes,
      'GET /service/rest/v1/components?repository=docker-hub': { json: { items: [], continuationToken: null } },
    });
    expect(await screen.findByText('No images yet')).toBeTruthy();
    expect(screen.getByText(/once a client has pulled it/)).toBeTruthy();
  });
});

describe('TagList', () => {
  it('reads every page and lists the tags of one image with digest, kind, size and times', async () => {
    renderWithApi(<TagList repository="ghcr" image="org/app" />, routes);
    const v2 = await screen.findByRole('link', { name: 'v2' });
    expect(v2.getAttribute('href')).toBe('#/browse/ghcr/org%2Fapp/v2');
    const row = v2.closest('tr')!;
    expect(row.textContent).toContain(`sha256:${'c'.repeat(12)}`);
    expect(row.textContent).toContain('multi-platform');
    expect(row.textContent).toContain('1.61 kB');
    expect(row.textContent).toContain('3 hours ago');
    expect(row.textContent).toContain('5 minutes ago');
    expect(screen.getByRole('link', { name: 'v1' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: '1.36' })).toBeNull();
    // ghcr is a proxy: tags are evicted, and its connector port is in the pull command
    expect(within(row).getByRole('button', { name: 'Evict v2' })).toBeTruthy();
    expect(within(row).getByRole('button', { name: 'Copy pull' }).getAttribute('title')).toBe('docker pull wharf.example:8183/org/app:v2');
  });

  it('evicts a tag (as a component: its manifest goes with it) after confirmation and reloads', async () => {
    let deleted = 0;
    renderWithApi(<TagList repository="ghcr" image="tools/jq" />, {
      ...routes,
      [`DELETE /service/rest/v1/components/${componentId('ghcr', 'tools/jq', '1.7')}`]: () => {
        deleted += 1;
        return { status: 202 };
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Evict 1.7' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Evict tag' }));
    await waitFor(() => expect(deleted).toBe(1));
    expect(await screen.findByText('Evicted tools/jq:1.7.')).toBeTruthy();
  });
});

describe('a group: which member holds each tag', () => {
  // docker-all = [docker-hosted, ghcr]: both hold org/app:v1, so the group serves docker-hosted's (servedBy).
  const served = (c: ReturnType<typeof component>, by: string) => ({ ...c, servedBy: by });
  const groupRoutes = {
    'GET /service/rest/v1/repositories': { json: [...REPOSITORIES, summary('docker-all', 'group', 8181)] },
    'GET /service/rest/v1/components?repository=docker-all': {
      json: {
        items: [
          served(component('docker-hosted', 'org/app', 'v1', D.amd64), 'docker-hosted'),
          served(component('ghcr', 'org/app', 'v1', D.arm64), 'docker-hosted'),
          served(component('ghcr', 'org/app', 'v2', D.arm64), 'ghcr'),
          served(component('ghcr', 'tools/jq', '1.7', D.arm64), 'ghcr'),
        ],
        continuationToken: null,
      },
    },
  };

  it('the image list names the members holding tags of each image', async () => {
    renderWithApi(<ImageList repository="docker-all" />, groupRoutes);
    const app = (await screen.findByRole('link', { name: 'org/app' })).closest('tr')!;
    expect(app.querySelector('td[data-label="Members"]')!.textContent).toBe('docker-hosted, ghcr');
    expect(screen.getByRole('link', { name: 'tools/jq' }).closest('tr')!.querySelector('td[data-label="Members"]')!.textContent).toBe('ghcr');
  });

  it('the tag list shows the member of each tag, which one the group serves, and opens a shadowed tag in its member', async () => {
    renderWithApi(<TagList repository="docker-all" image="org/app" />, groupRoutes);
    await screen.findByRole('link', { name: 'v2' });
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    const members = rows.map((r) => [r.querySelector('td[data-label="Tag"]')!.textContent, r.querySelector('td[data-label="Member"]')!.textContent]);
    expect(members.sort()).toEqual([
      ['v1', 'docker-hosted served by the group'],
      ['v1', 'ghcr shadowed by docker-hosted'],
      ['v2', 'ghcr served by the group'],
    ]);
    const hrefs = within(screen.getByRole('table'))
      .getAllByRole('link', { name: 'v1' })
      .map((a) => a.getAttribute('href'))
      .sort();
    expect(hrefs).toEqual(['#/browse/docker-all/org%2Fapp/v1', '#/browse/ghcr/org%2Fapp/v1']);
    // A group's tags are deleted in their member, not here.
    expect(screen.queryByRole('button', { name: /^Delete/ })).toBeNull();
  });

  it('a repository that is not a group has no member column', async () => {
    renderWithApi(<TagList repository="ghcr" image="org/app" />, routes);
    await screen.findByRole('link', { name: 'v2' });
    expect(screen.queryByRole('columnheader', { name: 'Member' })).toBeNull();
  });
});
