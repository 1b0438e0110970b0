import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDiskImage, type DiskImage, sha256 } from '@wharf/test-kit';
import { RegistryClient } from '../support/registry-client';
import { runTask, setGrace } from '../support/tasks';
import { waitFor } from '../support/wait';
import { storageFiles } from '../support/wharf-data';
import { ADMIN_USER } from '../support/wharf';
import { wharfSuite } from '../support/wharf-suite';

// Issue 14: a real Wharf process is killed with SIGKILL while its cleanup task is deleting blobs. After a
// restart the store is consistent (every tag pulls with verified digests), the task can be run again at
// once, that run finishes what the killed one had decided, and the store then holds exactly what the
// remaining images reference.

const REPO = 'gc-kill';
const ORPHANS = 4000;
const TASKS = '/service/rest/v1/tasks';

/** Files named like blobs that nothing references (what a crash between a write and its link can leave): work for the sweep. */
function writeOrphans(dataDir: string, count: number): void {
  for (let i = 0; i < count; i += 1) {
    const bytes = randomBytes(64);
    const hex = sha256(bytes).slice('sha256:'.length);
    const dir = join(dataDir, 'blobs', 'blobs', 'sha256', hex.slice(0, 2));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, hex), bytes);
  }
}

/** The digests of the blob files in the store. */
function storedDigests(dataDir: string): Map<string, number> {
  return new Map(
    storageFiles(dataDir)
      .filter((f) => f.path.startsWith('blobs/blobs/'))
      .map((f): [string, number] => {
        const [, , algorithm, , hex] = f.path.split('/');
        return [`${algorithm}:${hex}`, f.size];
      }),
  );
}

function countBlobFiles(dataDir: string): number {
  const root = join(dataDir, 'blobs', 'blobs', 'sha256');
  let n = 0;
  for (const prefix of readdirSync(root)) n += readdirSync(join(root, prefix)).length;
  return n;
}

/** Rows of `table` in the stopped Wharf's SQLite database. */
async function rows(dataDir: string, sql: string): Promise<unknown[]> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'wharf.db'));
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

const imageBlobs = (image: DiskImage) => new Map<string, number>([image.manifest, image.config, ...image.layers].map((b) => [b.digest, b.size]));

describe('SIGKILL while a garbage collection deletes, then a restart', () => {
  const suite = wharfSuite('gc-kill');
  let client: RegistryClient;
  let kept: DiskImage;
  let dropped: DiskImage;

  beforeAll(async () => {
    const connector = await suite.wharf.createHostedRepo(REPO);
    client = new RegistryClient({ baseUrl: `http://127.0.0.1:${connector}`, username: ADMIN_USER, password: suite.wharf.adminPassword });
    kept = await buildDiskImage(join(suite.dir, 'kept'), { layers: [300_000, 200_000], gzip: true });
    dropped = await buildDiskImage(join(suite.dir, 'dropped'), { layers: [400_000], gzip: true });
    await client.pushImage('team/app', 'kept', kept);
    await client.pushImage('team/app', 'dropped', dropped);
    const deleted = await client.request('DELETE', `/team/app/manifests/${dropped.manifest.digest}`, { name: 'team/app' });
    expect(deleted.status).toBe(202);
    await setGrace(suite.wharf.rest, 'cleanup', 0);
  });

  it('leaves a consistent store; the next run starts at once and finishes the work', async () => {
    writeOrphans(suite.wharf.dataDir, ORPHANS);
    const total = countBlobFiles(suite.wharf.dataDir);
    expect((await suite.wharf.rest.post(`${TASKS}/cleanup/run`)).status).toBe(204);
    // Kill it once the sweep is well under way: some blobs deleted, most still to go.
    await waitFor('the sweep to be under way', () => countBlobFiles(suite.wharf.dataDir) <= total - ORPHANS / 5, { timeoutMs: 60_000, intervalMs: 5 });
    await suite.wharf.kill9();
    const leftOrphans = countBlobFiles(suite.wharf.dataDir) - imageBlobs(kept).size - imageBlobs(dropped).size;
    expect(leftOrphans, 'the kill came before the sweep ended').toBeGreaterThan(0);
    // Deletions it had decided and not finished stay recorded: the next collection resumes them.
    const decided = (await rows(suite.wharf.dataDir, 'SELECT digest FROM blob_deletions')).length;
    console.log(`[gc-kill] killed with ${leftOrphans} of ${ORPHANS} unreferenced blobs left, ${decided} decided deletions recorded`);

    await suite.wharf.start();
    // Consistent: the kept image pulls whole, with verified digests; the deleted one is gone.
    const pulled = await client.pull('team/app', 'kept');
    expect(pulled.digest).toBe(kept.manifest.digest);
    expect([pulled.config.status, pulled.config.digest]).toEqual([200, kept.config.digest]);
    expect(pulled.layers.map((l) => [l.status, l.digest, l.size])).toEqual(kept.layers.map((l) => [200, l.digest, l.size]));
    expect((await client.getManifest('team/app', dropped.manifest.digest)).status).toBe(404);

    // The killed run is recorded as interrupted, and the task runs again at once (its lease died with the process).
    const runs = (await suite.wharf.rest.get(`${TASKS}/cleanup/runs`)).json<{ result: string }[]>();
    expect(runs[0]!.result).toBe('INTERRUPTED');
    const task = await runTask(suite.wharf.rest, 'cleanup');
    expect(task.lastRunResult, JSON.stringify(task)).toBe('OK');
    expect(task.lastRunSummary).toMatchObject({ resumed: decided });

    // The store now holds exactly what the remaining image references.
    expect(storedDigests(suite.wharf.dataDir)).toEqual(imageBlobs(kept));
    expect((await client.pull('team/app', 'kept')).layers.every((l) => l.status === 200)).toBe(true);
  });
});
