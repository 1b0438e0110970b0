import { statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { wharfSuite } from '../support/wharf-suite';
import { GatedFileStream } from '../support/gated-stream';
import { buildDiskImage, type DiskImage } from '@wharf/test-kit';
import { type RegistryClient } from '../support/registry-client';
import { waitFor } from '../support/wait';
import {
  committedBlobPath,
  filesForDigest,
  newOrGrownFiles,
  storageFiles,
  totalSize,
  type DataFile,
} from '../support/wharf-data';

const MiB = 1 << 20;
const REPO = 'docker-hosted';
const NAME = 'team/crash';

/** New or grown storage files that look like upload leftovers (any real size, or an upload/temp name). */
function leftovers(before: DataFile[], dataDir: string): DataFile[] {
  return newOrGrownFiles(before, storageFiles(dataDir)).filter(
    (f) => f.size >= 64 * 1024 || /upload|tmp|temp|partial/i.test(f.path),
  );
}

// Wharf is killed (SIGKILL) while a 200 MiB layer is half uploaded. After a restart nothing of that
// upload is visible as a blob, its session is consistent (resumable or cancellable), and the same push succeeds.
describe('SIGKILL in the middle of a 200 MiB blob upload', () => {
  const suite = wharfSuite('crash-upload');
  let client: RegistryClient;
  let image: DiskImage;

  beforeAll(async () => {
    image = await buildDiskImage(join(suite.dir, 'image'), { layers: [200 * MiB], format: 'docker', gzip: true });
    client = await suite.wharf.hostedClient(REPO);
  });

  it('leaves no blob, no partial data, and accepts the same push after restart', async () => {
    const layer = image.layers[0]!;
    const before = storageFiles(suite.wharf.dataDir);

    // Stream the layer in one PATCH (as docker does) and hold it after 100 MiB.
    const location = await client.startUpload(NAME);
    const body = new GatedFileStream(layer.path, layer.size, 100 * MiB);
    const patch = client
      .request('PATCH', location.toString(), {
        name: NAME,
        headers: { 'Content-Type': 'application/octet-stream' },
        body: () => body,
      })
      .then(
        (res) => ({ status: res.status, error: undefined as string | undefined }),
        (err: Error) => ({ status: 0, error: err.message }),
      );
    await body.paused;
    // Best effort: let Wharf write what it has received so the crash leaves partial data behind.
    await waitFor('partial upload data on disk', () => totalSize(newOrGrownFiles(before, storageFiles(suite.wharf.dataDir))) >= 64 * MiB, {
      timeoutMs: 30_000,
      intervalMs: 200,
    }).catch(() => undefined);

    await suite.wharf.kill9();
    body.destroy();
    const outcome = await patch;
    expect(outcome.status).not.toBe(202); // the upload cannot have completed

    await suite.wharf.start();

    // REST API healthy, repository intact.
    expect((await suite.wharf.rest.anonymous().get('/service/rest/v1/status')).status).toBe(200);
    expect((await suite.wharf.rest.anonymous().get('/service/rest/v1/status/writable')).status).toBe(200);
    expect((await suite.wharf.rest.get(`/service/rest/v1/repositories/docker/hosted/${REPO}`)).status).toBe(200);

    // Nothing of the interrupted upload is visible as a blob (soft: report every violation at once).
    expect.soft((await client.headBlob(NAME, layer.digest)).status, 'HEAD of the interrupted blob').toBe(404);
    expect.soft(filesForDigest(suite.wharf.dataDir, layer.digest), 'files named after the blob').toEqual([]);
    // Upload sessions are resumable (OCI spec), so the interrupted one survives the restart with a
    // consistent Range: exactly the bytes that reached the disk. The client may resume or cancel it.
    const session = await client.request('GET', location.toString(), { name: NAME });
    const onDisk = totalSize(leftovers(before, suite.wharf.dataDir));
    expect.soft(session.status, 'GET of the interrupted upload session').toBe(204);
    expect.soft(session.headers.range, 'its Range matches the bytes on disk').toBe(onDisk > 0 ? `0-${onDisk - 1}` : '0-0');
    const cancelled = await client.request('DELETE', location.toString(), { name: NAME });
    expect.soft(cancelled.status, 'DELETE of the interrupted upload session').toBe(204);
    expect.soft(leftovers(before, suite.wharf.dataDir), 'partial upload files left after cancelling').toEqual([]);
    const gone = await client.request('GET', location.toString(), { name: NAME });
    expect.soft({ status: gone.status, body: gone.text() }, 'GET after cancel').toMatchObject({
      status: 404,
      body: expect.stringContaining('BLOB_UPLOAD_UNKNOWN'),
    });

    // The same push now succeeds and pulls back with the right digests and sizes.
    const pushed = await client.pushImage(NAME, 'v1', image, { mode: 'stream' });
    expect(pushed).toBe(image.manifest.digest);
    const pulled = await client.pull(NAME, 'v1');
    expect(pulled.digest).toBe(image.manifest.digest);
    expect(pulled.headerDigest).toBe(image.manifest.digest);
    expect([pulled.config.status, pulled.config.digest, pulled.config.size]).toEqual([200, image.config.digest, image.config.size]);
    expect(pulled.layers.map((l) => [l.status, l.digest, l.size])).toEqual([[200, layer.digest, layer.size]]);
    expect((await client.headBlob(NAME, layer.digest)).status).toBe(200);
    // The store now holds the layer once, whole (this also proves the absence check above could see it).
    const stored = committedBlobPath(suite.wharf.dataDir, layer.digest);
    expect(stored, 'committed blob file for the layer (adjust test/support/suite.wharf-data.ts if the layout changed)').toBeDefined();
    expect(statSync(stored!).size).toBe(layer.size);
  });
});
