import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../../../test/support/wait';
import { teeOutputToLogFile } from '../../src/config/log-file';
import { useTempDir } from '../support/temp-dir';

// The log file is a copy of the terminal output: a full disk (ENOSPC) must never end the process.
// /dev/full fails every write with ENOSPC, as a full filesystem does.

describe('log file on a full disk', () => {
  const data = useTempDir('wharf-log-');

  it('a write failing with ENOSPC leaves the process up; the file is written again once it can be', async () => {
    const file = data.join('logs', 'wharf.log');
    await mkdir(data.join('logs'));
    await symlink('/dev/full', file);
    const log = teeOutputToLogFile(data.path, { retryAfterMs: 200 });
    try {
      process.stdout.write('h16 log test: first line (disk full)\n');
      await waitFor('the log file to be seen failing', () => !log.healthy, { timeoutMs: 10_000, intervalMs: 20 });
      for (let i = 0; i < 5; i++) process.stdout.write(`h16 log test: dropped ${i}\n`);
      await sleep(50);
      expect(log.healthy).toBe(false);

      // Space is back (here: the file is a real file again).
      await rm(file);
      await sleep(250);
      process.stdout.write('h16 log test: after space came back\n');
      await waitFor('the log file to be written again', () => log.healthy, { timeoutMs: 10_000, intervalMs: 20 });
    } finally {
      log.close();
    }
    const text = await readFile(file, 'utf8');
    expect(text).toContain('h16 log test: after space came back');
    expect(text).not.toContain('dropped');
  });
});
