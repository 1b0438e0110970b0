import { chmod, mkdir, open, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';

/** The data directory holds password and token hashes, keys and private images: Wharf's user only. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Space kept in the data directory for a start on a full disk: SQLite needs a few pages to open its WAL
 * (the -shm index) even to read. When the disk is full at start-up, this file is deleted first.
 */
export const RESERVE_FILE = 'space-reserve';
export const RESERVE_BYTES = 8 * 1024 * 1024;

export interface PreparedDataDir {
  /** The reserve was deleted to start on a full disk. */
  reserveReleased: boolean;
}

/**
 * Creates the data directory readable by Wharf's user only, and closes one made by an older version
 * (mode 0755, database 0644). The SQLite database is created 0600 before SQLite opens it: SQLite gives its
 * -wal and -shm files the database's mode. Keeps (or, on a full disk, releases) the space reserve.
 */
export async function prepareDataDir(dataDir: string, sqliteFile?: string): Promise<PreparedDataDir> {
  await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
  await chmod(dataDir, DIR_MODE);
  const reserveReleased = await keepReserve(join(dataDir, RESERVE_FILE));
  if (sqliteFile !== undefined) {
    const db = join(dataDir, sqliteFile);
    await (await open(db, 'a', FILE_MODE)).close();
    for (const file of [db, `${db}-wal`, `${db}-shm`]) {
      await chmod(file, FILE_MODE).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
  }
  return { reserveReleased };
}

/** Deletes the reserve when the disk is (nearly) full; creates it when there is room. True when it was released. */
async function keepReserve(file: string): Promise<boolean> {
  const fs = await statfs(join(file, '..'));
  const free = fs.bavail * fs.bsize;
  const present = await stat(file).then(
    (st) => st.size >= RESERVE_BYTES,
    () => false,
  );
  if (present && free < RESERVE_BYTES) {
    await rm(file, { force: true });
    return true;
  }
  if (!present && free > 4 * RESERVE_BYTES) await writeReserve(file);
  return false;
}

async function writeReserve(file: string): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024);
  const handle = await open(file, 'w', FILE_MODE);
  try {
    // Real blocks, not a sparse file: the point is to hold the space.
    for (let written = 0; written < RESERVE_BYTES; written += chunk.length) await handle.write(chunk, 0, chunk.length, written);
    await handle.sync();
  } catch {
    await rm(file, { force: true });
  } finally {
    await handle.close().catch(() => undefined);
  }
}
