import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortUnavailableError } from '../../src/connectors/http-server';
import { startWharf } from '../../src/wharf';
import { useTempDir } from '../support/temp-dir';

describe('start-up on a main port that is already in use', () => {
  const blocker = createServer();
  let port: number;
  const parent = useTempDir('wharf-port-');

  beforeAll(async () => {
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('fails with PortUnavailableError naming the port, before any state is written', async () => {
    const dataDir = parent.join('data');
    const start = startWharf({ port, host: '127.0.0.1', dataDir, logLevel: 'error' });
    await expect(start).rejects.toBeInstanceOf(PortUnavailableError);
    await expect(start).rejects.toThrow(`port ${port} is already in use on 127.0.0.1`);
    // No database, no admin user, no generated password: the next start is still a first start.
    await expect(readdir(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
