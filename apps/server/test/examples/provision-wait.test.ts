import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(__dirname, '../../../../examples/provision.sh');

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('examples/provision.sh when Wharf is not where it looks', () => {
  it('says what it waits for while it waits, then fails naming WHARF_URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile('bash', [SCRIPT], { env: { ...process.env, WHARF_URL: url, WHARF_PASSWORD: 'x', WAIT_SECONDS: '8' }, timeout: 30_000 }, (err, _stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    const waiting = result.stderr.split('\n').filter((line) => line.startsWith(`provision.sh: waiting for Wharf at ${url}/service/rest/v1/status (no connection;`));
    // At once, then again 5 s later. bash's SECONDS ticks whole seconds and the loop checks the deadline before it
    // reports, so a deadline of 6 could pass over the second report on a busy machine; 8 leaves it 3 s.
    expect(waiting.length).toBeGreaterThanOrEqual(2);
    expect(result.stderr).toContain(`provision.sh: Wharf at ${url} did not answer within 8s (no connection); check WHARF_URL`);
  });
});
