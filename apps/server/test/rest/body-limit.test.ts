import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestWharf } from '../support/wharf';

// A REST body over 1 MiB is refused with 413 and the connection is closed: a client still sending must
// learn at once, not block on a connection nobody reads until its own timeout.

const wharf = useTestWharf();

interface Outcome {
  response: string;
  /** Body bytes the client had written when the server closed the connection. */
  sent: number;
}

/** Sends a request whose body is `total` bytes (Content-Length, or chunked when `chunked`), as fast as the server takes it. */
function sendOversized(port: number, total: number, chunked: boolean, authorization: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let response = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection was still open after 15 s (response so far: ${JSON.stringify(response.slice(0, 200))}, ${sent} bytes sent)`));
    }, 15_000);
    socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
    socket.on('error', () => undefined); // EPIPE/ECONNRESET once the server has closed
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ response, sent });
    });
    socket.on('connect', () => {
      const head = [
        'POST /service/rest/v1/repositories/docker/hosted HTTP/1.1',
        'Host: 127.0.0.1',
        `Authorization: ${authorization}`,
        'Content-Type: application/json',
        chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${total}`,
        '',
        '',
      ].join('\r\n');
      socket.write(head);
      const pump = () => {
        while (sent < total && !socket.destroyed) {
          const piece = chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
          sent += chunk.length;
          if (!socket.write(piece)) return void socket.once('drain', pump);
        }
        if (chunked && !socket.destroyed) socket.write('0\r\n\r\n');
      };
      pump();
    });
  });
}

describe('a REST body over the 1 MiB limit', () => {
  it.each([
    ['with a Content-Length', false],
    ['chunked', true],
  ])('%s: 413, Connection: close, and the server closes before the client is done sending', async (_what, chunked) => {
    const total = 256 * 1024 * 1024;
    const { response, sent } = await sendOversized(wharf.port, total, chunked, wharf.authorization);
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toMatch(/\r\nconnection: close\r\n/i);
    expect(sent).toBeLessThan(total);
    // Wharf is still there, and a body under the limit still works.
    expect((await wharf.anonymous.get('/service/rest/v1/status')).status).toBe(200);
  });
});
