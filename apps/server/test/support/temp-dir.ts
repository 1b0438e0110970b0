import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface TempDir {
  /** The directory (inside tests and hooks). */
  readonly path: string;
  /** A path inside it. */
  join(...parts: string[]): string;
}

/**
 * A fresh temporary directory (`<tmp>/<prefix>XXXXXX`) for the tests of the enclosing describe block or file:
 * made before them, removed with its content after them. Take it at definition time, read `path` in tests and hooks.
 */
export function useTempDir(prefix: string): TempDir {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const path = (): string => {
    if (!dir) throw new Error(`the ${prefix} directory is made before the tests: read it inside tests and hooks`);
    return dir;
  };
  return {
    get path() {
      return path();
    },
    join: (...parts) => join(path(), ...parts),
  };
}
