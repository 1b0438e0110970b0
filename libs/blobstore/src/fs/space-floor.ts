import { statfs } from 'node:fs/promises';
import { storeFull } from '../storage-error';
import { toStorageError } from './fs-errors';

const MIB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0)} MiB`;

/**
 * The free space a file store keeps for everything else on its disk (the database, its WAL, the logs):
 * writes are refused before they start once less would be left, with the same 507 as a full disk.
 */
export class SpaceFloor {
  constructor(
    private readonly root: string,
    /** Bytes that must stay free; 0 refuses only writes that cannot fit at all. */
    readonly minFreeBytes: number,
  ) {}

  /** Free bytes for this process's user on the store's filesystem. */
  async free(): Promise<number> {
    try {
      const fs = await statfs(this.root);
      return fs.bavail * fs.bsize;
    } catch (err) {
      throw toStorageError(err, 'statfs');
    }
  }

  /** Why a write of `needed` bytes (0: unknown) may not start now, or null. */
  async problem(needed = 0): Promise<string | null> {
    const free = await this.free();
    if (free - needed >= this.minFreeBytes) return null;
    const what = needed > 0 ? `${mib(needed)} would leave less than` : 'that is below';
    return `the blob store has ${mib(free)} free; ${what} the ${mib(this.minFreeBytes)} kept free for the database and logs`;
  }

  /** Throws the store-full error when a write of `needed` bytes may not start. */
  async check(needed = 0): Promise<void> {
    const problem = await this.problem(needed);
    if (problem) throw storeFull(`${problem}; free space, then retry`);
  }
}
