import { afterAll, beforeAll } from 'vitest';
import { Cleanup } from './cleanup';
import { Wharf, type WharfOptions } from './wharf';

/** A suite's temp dir, its Wharf and its teardown stack (set once the suite's first beforeAll ran). */
export interface WharfSuite {
  readonly cleanup: Cleanup;
  readonly dir: string;
  readonly wharf: Wharf;
}

/**
 * What most e2e suites begin with: a temp dir and a Wharf process in it, both undone after the suite with
 * everything else registered on `cleanup`. Call it first in a describe block: it registers the beforeAll
 * that starts them (ahead of the suite's own) and the afterAll that runs the cleanup.
 */
export function wharfSuite(label: string, options: (dir: string) => Omit<WharfOptions, 'dir'> = () => ({})): WharfSuite {
  const cleanup = new Cleanup();
  let dir: string | undefined;
  let wharf: Wharf | undefined;
  beforeAll(async () => {
    dir = cleanup.tempDir(label);
    wharf = cleanup.stopping('wharf', await Wharf.start({ dir, ...options(dir) }));
  });
  afterAll(() => cleanup.run());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`the ${label} suite has not started (use it from beforeAll or a test)`);
    return value;
  };
  return {
    cleanup,
    get dir() {
      return started(dir);
    },
    get wharf() {
      return started(wharf);
    },
  };
}
