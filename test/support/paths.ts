import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The monorepo root (where package.json with the workspaces lives). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Set WHARF_E2E_KEEP=1 to keep every test's temporary directory (logs, data dirs) for inspection. */
export const KEEP_TEMP = process.env.WHARF_E2E_KEEP === '1';

/**
 * A fresh temporary directory for one test file. The path is kept short on purpose: dockerd puts
 * unix sockets below it, and socket paths are limited to 107 bytes.
 */
export function makeTempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `wharf-e2e-${label}-`));
}

export function removeDir(dir: string): void {
  if (KEEP_TEMP) {
    console.log(`[wharf-e2e] keeping ${dir}`);
    return;
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
