import { chmod, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';

/** The data directory holds password and token hashes, keys and private images: Wharf's user only. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Creates the data directory readable by Wharf's user only, and closes one made by an older version
 * (mode 0755, database 0644). The SQLite database is created 0600 before SQLite opens it: SQLite gives its
 * -wal and -shm files the database's mode.
 */
export async function prepareDataDir(dataDir: string, sqliteFile?: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
  await chmod(dataDir, DIR_MODE);
  if (sqliteFile === undefined) return;
  const db = join(dataDir, sqliteFile);
  await (await open(db, 'a', FILE_MODE)).close();
  for (const file of [db, `${db}-wal`, `${db}-shm`]) {
    await chmod(file, FILE_MODE).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}
