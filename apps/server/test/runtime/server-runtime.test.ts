import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV, NODE_ARGS } from '../../../../scripts/server-runtime';
import { waitFor } from '../../../../test/support/wait';
import { freePort } from '../support/ports';

const ROOT = resolve(__dirname, '../../../..');
const MAIN = join(ROOT, 'apps/server/dist/main.js');

describe('server runtime settings', () => {
  it('the Dockerfile starts the server with the same node options and environment', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(['node', ...NODE_ARGS, 'apps/server/dist/main.js']);
    for (const [key, value] of Object.entries(ENV)) {
      expect(dockerfile, `ENV ${key}`).toMatch(new RegExp(`^\\s+${key}=${value}\\b`, 'm'));
    }
  });
});

describe('npm run serve (scripts/serve.js)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wharf-serve-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs the server with the runtime settings, and stops it cleanly on SIGTERM', async () => {
    expect(existsSync(MAIN), `${MAIN} is missing: npm run build`).toBe(true);
    const port = await freePort();
    const parent = spawn(process.execPath, [join(ROOT, 'scripts/serve.js')], {
      cwd: ROOT,
      env: { ...process.env, MALLOC_ARENA_MAX: '4', WHARF_PORT: String(port), WHARF_HOST: '127.0.0.1', WHARF_DATA_DIR: dataDir, WHARF_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
      parent.on('exit', (code, signal) => done({ code, signal })),
    );
    try {
      await waitFor(`Wharf answering on port ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/service/rest/v1/status`)).ok, {
        timeoutMs: 30_000,
      });
      const children = readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8').trim().split(/\s+/);
      expect(children).toHaveLength(1);
      const child = children[0]!;
      const argv = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean);
      expect(argv.slice(1)).toEqual([...NODE_ARGS, MAIN]);
      const environ = new Set(readFileSync(`/proc/${child}/environ`, 'utf8').split('\0'));
      expect(environ.has(`MALLOC_MMAP_THRESHOLD_=${ENV.MALLOC_MMAP_THRESHOLD_}`)).toBe(true);
      expect(environ.has('MALLOC_ARENA_MAX=4'), 'a variable set by the operator wins').toBe(true);

      parent.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(existsSync(`/proc/${child}`), 'the server process is gone').toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
