import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { wharfSuite } from '../support/wharf-suite';
import { header } from '../support/http';
import { buildDiskImage, type DiskImage } from '@wharf/test-kit';
import { isListening } from '../support/ports';
import { type RegistryClient, type PulledImage } from '../support/registry-client';

const MiB = 1 << 20;
const REPO = 'docker-hosted';

function expectSameImage(pulled: PulledImage, image: DiskImage): void {
  expect(pulled.digest).toBe(image.manifest.digest);
  expect(pulled.headerDigest).toBe(image.manifest.digest);
  expect(pulled.bytes.equals(image.manifest.bytes)).toBe(true);
  expect([pulled.config.status, pulled.config.digest, pulled.config.size]).toEqual([200, image.config.digest, image.config.size]);
  expect(pulled.layers.map((l) => [l.status, l.digest, l.size])).toEqual(image.layers.map((l) => [200, l.digest, l.size]));
}

// Everything pushed survives a graceful restart on the same data directory: the repository, its
// connector port, the tags and the exact bytes.
describe('restart on the same data directory', () => {
  const suite = wharfSuite('restart');
  let connectorPort: number;
  let viaConnector: RegistryClient;
  let viaPath: RegistryClient;
  let viaPrefix: RegistryClient;
  let dockerImage: DiskImage;
  let ociImage: DiskImage;

  beforeAll(async () => {
    connectorPort = await suite.wharf.createHostedRepo(REPO);
    viaConnector = suite.wharf.adminClient(`http://127.0.0.1:${connectorPort}`);
    viaPath = suite.wharf.adminClient(); // /v2/<repo>/<image>
    viaPrefix = suite.wharf.adminClient(suite.wharf.baseUrl, `/repository/${REPO}/v2`);
    dockerImage = await buildDiskImage(join(suite.dir, 'img-docker'), { layers: [1 * MiB, 12 * MiB], format: 'docker', gzip: true });
    ociImage = await buildDiskImage(join(suite.dir, 'img-oci'), { layers: [3 * MiB], format: 'oci' });
  });

  it('keeps repository, connector, tags and image bytes across SIGTERM and start', async () => {
    // Push over the connector (monolithic and chunked uploads) and over the prefixed main-port route.
    const pushedDocker = await viaConnector.pushImage('team/persist', 'v1', dockerImage, {
      layerModes: ['monolithic', 'chunked'],
      mode: 'monolithic',
      chunkSize: 4 * MiB,
    });
    expect(pushedDocker).toBe(dockerImage.manifest.digest);
    const pushedOci = await viaPrefix.pushImage('team/other', 'v2', ociImage, { mode: 'stream' });
    expect(pushedOci).toBe(ociImage.manifest.digest);
    expectSameImage(await viaConnector.pull('team/persist', 'v1'), dockerImage);

    const exit = await suite.wharf.stop(30_000);
    expect(exit?.signal).not.toBe('SIGKILL'); // it shut down on SIGTERM
    expect(await isListening(suite.wharf.port)).toBe(false);
    expect(await isListening(connectorPort)).toBe(false);

    await suite.wharf.start();

    // The repository is still configured, with its connector.
    const repo = await suite.wharf.rest.get(`/service/rest/v1/repositories/docker/hosted/${REPO}`);
    expect(repo.status).toBe(200);
    expect(repo.json()).toMatchObject({ name: REPO, online: true, docker: { httpPort: connectorPort } });
    const list = await suite.wharf.rest.get('/service/rest/v1/repositories');
    expect(list.status).toBe(200);
    expect(list.json<Array<{ name: string; type: string }>>()).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: REPO, type: 'hosted' })]),
    );

    // The connector listens again and still demands credentials.
    expect(await isListening(connectorPort)).toBe(true);
    const anonymous = await viaConnector.withCredentials().ping();
    expect(anonymous.status).toBe(401);
    expect(header(anonymous.headers, 'www-authenticate')).toBeTruthy();
    expect((await viaConnector.ping()).status).toBe(200);

    // Same digests, same bytes, through every route.
    expectSameImage(await viaConnector.pull('team/persist', 'v1'), dockerImage);
    expectSameImage(await viaConnector.pull('team/persist', dockerImage.manifest.digest), dockerImage);
    expectSameImage(await viaPath.pull(`${REPO}/team/persist`, 'v1'), dockerImage);
    expectSameImage(await viaPrefix.pull('team/other', 'v2'), ociImage);
    expectSameImage(await viaConnector.pull('team/other', 'v2'), ociImage);

    const tags = await viaConnector.request('GET', '/team/persist/tags/list', { name: 'team/persist' });
    expect(tags.status).toBe(200);
    expect(tags.json()).toMatchObject({ name: 'team/persist', tags: ['v1'] });
  });
});
