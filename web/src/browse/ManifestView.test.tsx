import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MANIFEST_ACCEPT } from '../api/oci';
import { REPOSITORIES, summary } from '../test/fixtures';
import { CONFIG, D, INDEX, MANIFEST } from '../test/oci-fixtures';
import { TEST_CREDENTIALS, renderWithApi } from '../test-utils';
import { ManifestPage } from './ManifestView';

const repos = { 'GET /service/rest/v1/repositories': { json: REPOSITORIES } };

describe('ManifestPage: an index', () => {
  const routes = {
    ...repos,
    'GET /v2/docker-hosted/library/busybox/manifests/1.36': {
      text: JSON.stringify(INDEX),
      headers: { 'Content-Type': INDEX.mediaType!, 'Docker-Content-Digest': D.index },
    },
  };

  it('asks for the four manifest media types with Basic auth', async () => {
    const { calls } = renderWithApi(<ManifestPage repository="docker-hosted" image="library/busybox" reference="1.36" />, routes);
    await screen.findByText('Platforms (2)');
    const call = calls.find((c) => c.url.startsWith('/v2/'))!;
    for (const type of [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ]) {
      expect(call.headers.accept).toContain(type);
    }
    expect(call.headers.accept).toBe(MANIFEST_ACCEPT);
    expect(call.headers.authorization).toBe(TEST_CREDENTIALS.authorization);
  });

  it('lists the platforms, each linking to its manifest by digest, and the attestations apart', async () => {
    renderWithApi(<ManifestPage repository="docker-hosted" image="library/busybox" reference="1.36" />, routes);
    const platforms = (await screen.findByText('Platforms (2)')).closest('section')!;
    const amd64 = within(platforms).getByRole('link', { name: 'linux/amd64' });
    expect(decodeURIComponent(amd64.getAttribute('href')!)).toBe(`#/browse/docker-hosted/library/busybox/${D.amd64}`);
    expect(amd64.getAttribute('href')).toContain('library%2Fbusybox'); // the image name stays one route segment
    expect(within(platforms).getByRole('link', { name: 'linux/arm64/v8' })).toBeTruthy();
    expect(screen.getByText('Attestations (1)')).toBeTruthy();
    expect(screen.getByRole('link', { name: `attestation of sha256:${'b'.repeat(12)}` })).toBeTruthy();
    expect(screen.getByText(D.index, { exact: false })).toBeTruthy();
    expect(screen.getAllByText('OCI index').length).toBeGreaterThan(0);
  });

  it('the pull command uses the connector port when the repository has one', async () => {
    renderWithApi(<ManifestPage repository="docker-hosted" image="library/busybox" reference="1.36" />, routes);
    expect(await screen.findByText('docker pull wharf.example:8182/library/busybox:1.36')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy pull command' }).getAttribute('title')).toBe('docker pull wharf.example:8182/library/busybox:1.36');
  });
});

describe('ManifestPage: an image', () => {
  const routes = {
    ...repos,
    [`GET /v2/docker-hub/library/busybox/manifests/${D.arm64}`]: {
      text: JSON.stringify(MANIFEST),
      headers: { 'Content-Type': MANIFEST.mediaType!, 'Docker-Content-Digest': D.arm64 },
    },
    [`GET /v2/docker-hub/library/busybox/blobs/${D.config}`]: { text: JSON.stringify(CONFIG), headers: { 'Content-Type': 'application/octet-stream' } },
  };

  it('shows the layers with human sizes and their total', async () => {
    renderWithApi(<ManifestPage repository="docker-hub" image="library/busybox" reference={D.arm64} />, routes);
    const heading = await screen.findByRole('heading', { name: 'Layers (3) · 14.8 MB total' });
    const table = heading.closest('section')!.querySelector('table')!;
    const rows = within(table).getAllByRole('row');
    expect(rows.map((r) => r.lastElementChild!.textContent)).toEqual(['Size', '2.5 MB', '750 B', '12.3 MB', '14.8 MB']);
    expect(within(table).getByText(`sha256:${'1'.repeat(12)}`)).toBeTruthy();
  });

  it('shows the config blob: platform, created, entrypoint, cmd, env, labels, history', async () => {
    renderWithApi(<ManifestPage repository="docker-hub" image="library/busybox" reference={D.arm64} />, routes);
    const config = (await screen.findByRole('heading', { name: /^Configuration/ })).closest('section')!;
    await within(config).findByText('linux/arm64/v8');
    expect(within(config).getByText('["/docker-entrypoint.sh"]')).toBeTruthy();
    expect(within(config).getByText('["nginx","-g","daemon off;"]')).toBeTruthy();
    expect(within(config).getByText('APP_MODE')).toBeTruthy();
    expect(within(config).getByText('production')).toBeTruthy();
    expect(within(config).getByText('org.opencontainers.image.source')).toBeTruthy();
    expect(within(config).getByText('https://github.com/example/app')).toBeTruthy();
    expect(within(config).getByText('80/tcp')).toBeTruthy();
    expect(config.querySelector('time[datetime="2024-05-01T12:00:00Z"]')).not.toBeNull();
    const history = within(config).getByRole('heading', { name: 'History (4 steps)' }).nextElementSibling!;
    const steps = within(history as HTMLElement).getAllByRole('listitem');
    expect(steps[0]!.textContent).toContain('ADD file:abc in /');
    expect(steps[0]!.textContent).toContain('layer 2.5 MB');
    expect(steps[1]!.textContent).toContain('no layer');
    expect(steps[2]!.textContent).toContain('layer 750 B');
    expect(steps[3]!.textContent).toContain('layer 12.3 MB');
  });

  it('shows what the image holds in the store and what deleting it would free', async () => {
    const { calls } = renderWithApi(<ManifestPage repository="docker-hub" image="library/busybox" reference={D.arm64} />, {
      ...routes,
      [`GET /service/rest/v1/repositories/docker-hub/image-size?image=library%2Fbusybox&digest=${encodeURIComponent(D.arm64)}`]: { json: { totalBytes: 14_800_000, uniqueBytes: 12_300_000 } },
    });
    const stored = await screen.findByText('Stored size');
    expect(stored.nextElementSibling!.textContent).toContain('14.8 MB');
    expect(screen.getByText('Only this image').nextElementSibling!.textContent).toContain('12.3 MB');
    expect(calls.some((c) => c.url.includes('/image-size?'))).toBe(true);
  });

  it('without a connector port the pull command goes through the main port by path', async () => {
    renderWithApi(<ManifestPage repository="docker-hub" image="library/busybox" reference={D.arm64} />, routes);
    expect(await screen.findByText(`docker pull wharf.example:8081/docker-hub/library/busybox@${D.arm64}`)).toBeTruthy();
  });

  it('a proxy evicts (with confirmation) instead of deleting', async () => {
    const deleted: string[] = [];
    renderWithApi(<ManifestPage repository="docker-hub" image="library/busybox" reference={D.arm64} />, {
      ...routes,
      [`DELETE /v2/docker-hub/library/busybox/manifests/${D.arm64}`]: (call) => (deleted.push(call.url), { status: 202 }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Evict manifest' }));
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('The upstream keeps it');
    expect(deleted).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Evict manifest' }));
    await waitFor(() => expect(deleted).toHaveLength(1));
    await waitFor(() => expect(window.location.hash).toBe('#/browse/docker-hub/library%2Fbusybox'));
  });
});

describe('ManifestPage: errors', () => {
  it('shows the registry error message', async () => {
    renderWithApi(<ManifestPage repository="docker-hosted" image="app" reference="gone" />, {
      ...repos,
      'GET /v2/docker-hosted/app/manifests/gone': { status: 404, json: { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest gone is not in docker-hosted/app' }] } },
    });
    expect((await screen.findByRole('alert')).textContent).toContain('manifest gone is not in docker-hosted/app');
  });

  it('a hosted repository offers delete tag and delete manifest', async () => {
    renderWithApi(<ManifestPage repository="docker-hosted" image="app" reference="v1" />, {
      'GET /service/rest/v1/repositories': { json: [summary('docker-hosted', 'hosted')] },
      'GET /v2/docker-hosted/app/manifests/v1': { text: JSON.stringify(MANIFEST), headers: { 'Content-Type': MANIFEST.mediaType!, 'Docker-Content-Digest': D.arm64 } },
      [`GET /v2/docker-hosted/app/blobs/${D.config}`]: { text: JSON.stringify(CONFIG) },
    });
    expect(await screen.findByRole('button', { name: 'Delete tag' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Delete manifest' })).toBeTruthy();
  });
});
