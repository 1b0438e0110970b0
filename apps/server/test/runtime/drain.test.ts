import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../../../test/support/wait';
import { freePort } from '../support/ports';
import { Registry } from '../support/registry';
import { createHosted } from '../support/rest';
import { startTestWharf } from '../support/wharf';

// Shutdown (SIGTERM calls the same close) drains: transfers under way may finish for the grace period
// (WHARF_SHUTDOWN_GRACE_SECONDS, default 30) instead of being cut after 2 s; no new connection is taken.

describe('shutdown drains requests in flight', () => {
  it('an upload still sending 3 s after the shutdown began completes with 202; new connections are refused', async () => {
    const wharf = await startTestWharf({ config: { shutdownGraceSeconds: 20 } });
    const port = await freePort();
    let closing: Promise<void> | undefined;
    try {
      await createHosted(wharf.http, 'drain', { httpPort: port });
      const { location } = await new Registry(wharf.on(port)).startUpload('app');
      const path = new URL(location, 'http://x').pathname + new URL(location, 'http://x').search;
      const body = randomBytes(256 * 1024);
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      let response = '';
      socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
      const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => undefined);
      socket.write(
        [`PATCH ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: ${wharf.authorization}`, 'Content-Type: application/octet-stream', `Content-Length: ${body.length}`, '', ''].join('\r\n'),
      );
      socket.write(body.subarray(0, 1000));
      await sleep(200);

      closing = wharf.close();
      await sleep(300);
      // Not taking new connections any more (on the main port and the connector).
      for (const p of [wharf.port, port]) {
        const refused = await new Promise<boolean>((resolve) => {
          const probe = connect(p, '127.0.0.1');
          probe.once('connect', () => {
            probe.destroy();
            resolve(false);
          });
          probe.once('error', () => resolve(true));
        });
        expect(refused, `port ${p}`).toBe(true);
      }
      // Longer than the 2 s after which transfers used to be cut.
      await sleep(3_000);
      socket.write(body.subarray(1000));
      await ended;
      expect(response).toMatch(/^HTTP\/1\.1 202 /);
      expect(response).toMatch(new RegExp(`range: 0-${body.length - 1}`, 'i'));
      await closing;
    } finally {
      await (closing ?? wharf.close());
    }
  });
});
