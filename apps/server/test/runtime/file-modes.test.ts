import { chmod, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageManifest, randomBlob } from '@wharf/test-kit';
import { Registry } from '../support/registry';
import { createHosted } from '../support/rest';
import { useTempDir } from '../support/temp-dir';
import { startTestWharf } from '../support/wharf';

// The data directory holds password and token hashes, signing keys and private images: nothing in it
// may be readable by other users of the machine (it was 0755 / 0644).

/** Every path under `dir` (itself included) whose mode lets group or others in, with its mode. */
async function openToOthers(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string) => {
    const st = await stat(path);
    if ((st.mode & 0o077) !== 0) found.push(`${path.slice(dir.length) || '/'} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
  };
  await walk(dir);
  return found;
}

describe('file modes of the data directory', () => {
  const parent = useTempDir('wharf-modes-');

  it('a new data directory, its database (and WAL), blobs and uploads are for Wharf\'s user only', async () => {
    const dataDir = parent.join('fresh', 'data');
    const wharf = await startTestWharf({ dataDir });
    try {
      await createHosted(wharf.http, 'modes');
      const registry = new Registry(wharf.http);
      await registry.pushImage('modes/app', '1', imageManifest());
      // An upload in progress, too.
      const { location } = await registry.startUpload('modes/app');
      expect((await registry.http.patch(location, { headers: { 'Content-Type': 'application/octet-stream' }, body: randomBlob(100).bytes })).status).toBe(202);
      const names = await readdir(dataDir);
      expect(names).toEqual(expect.arrayContaining(['wharf.db', 'wharf.db-wal', 'blobs', 'secrets']));
      expect(await openToOthers(dataDir)).toEqual([]);
    } finally {
      await wharf.close();
    }
  });

  it('a data directory left open by an older version is closed at start-up', async () => {
    const dataDir = parent.join('older');
    const first = await startTestWharf({ dataDir, keepData: true });
    await createHosted(first.http, 'older');
    await new Registry(first.http).pushImage('older/app', '1', imageManifest());
    await first.close();
    for (const path of [dataDir, join(dataDir, 'blobs')]) await chmod(path, 0o755);
    for (const name of await readdir(dataDir)) if (name.startsWith('wharf.db')) await chmod(join(dataDir, name), 0o644);

    const again = await startTestWharf({ dataDir, adminPassword: first.admin.password });
    try {
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(dataDir, 'blobs'))).mode & 0o777).toBe(0o700);
      for (const name of await readdir(dataDir)) {
        if (name.startsWith('wharf.db')) expect((await stat(join(dataDir, name))).mode & 0o777, name).toBe(0o600);
      }
      expect((await new Registry(again.http).getManifest('older/app', '1')).status).toBe(200);
    } finally {
      await again.close();
    }
  });
});
