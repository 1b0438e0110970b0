import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '@wharf/test-kit';
import { nativeIoAvailable } from './addon';
import { Gate } from './gate';
import { sendFileToSocket, zeroCopyTransfers } from './send-file';

const MiB = 1024 * 1024;
const fdOf = (socket: Socket) => (socket as unknown as { _handle: { fd: number } })._handle.fd;

describe.runIf(process.platform === 'linux')('sendFileToSocket (sendfile(2) on a thread of the addon)', () => {
  let dir: string;
  let server: Server;
  let port: number;
  const content = randomBytes(24 * MiB);
  /** Larger than the loopback socket buffers (tcp_rmem allows 32 MiB), so a client that stops reading stalls sendfile. */
  const big = randomBytes(128 * MiB);
  const files: Record<string, FileHandle> = {};
  const gates: Record<string, { gate: Gate; file: string }> = {};
  /** How each connection's send ended. */
  const outcomes: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wharf-send-file-'));
    for (const [name, bytes] of [['small', content], ['big', big]] as const) {
      await writeFile(join(dir, name), bytes);
      files[name] = await open(join(dir, name), 'r');
    }
    // A connection asks in one line "<file> [<start> <end>] [gate <name>]"; the server sends those bytes and closes.
    server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (line: Buffer) => {
        const [which, start, end, gated, gateName] = line.toString().trim().split(' ');
        const followed = gated === 'gate' ? gates[gateName!] : undefined;
        const file = files[which!]!;
        const offset = start ? Number(start) : 0;
        const count = start ? Number(end) - offset + 1 : content.length;
        void sendFileToSocket(fdOf(socket), file.fd, offset, count, followed?.gate).then(
          (sent) => {
            outcomes.push(sent ? 'sent' : 'declined');
            socket.end();
          },
          (err: Error & { code?: string }) => {
            outcomes.push(`failed: ${err.code}: ${err.message}`);
            socket.destroy();
          },
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    for (const f of Object.values(files)) await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  function fetchBytes(ask: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`${ask}\n`));
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
  }

  async function settled(n: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (outcomes.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  it('is built and loaded here (scripts/build-native.js)', () => {
    expect(nativeIoAvailable()).toBe(true);
  });

  it('sends whole files and ranges byte for byte', async () => {
    outcomes.length = 0;
    const before = zeroCopyTransfers();
    const whole = await fetchBytes('small');
    const part = await fetchBytes(`small ${5 * MiB + 3} ${9 * MiB}`);
    await settled(2);
    expect(sha256(whole)).toBe(sha256(content));
    expect(part.equals(content.subarray(5 * MiB + 3, 9 * MiB + 1))).toBe(true);
    expect(outcomes).toEqual(['sent', 'sent']);
    expect(zeroCopyTransfers() - before).toBe(2);
  });

  it('follows a gate: sends only what it allows, waits for more, finishes when it reaches the end', async () => {
    outcomes.length = 0;
    const gate = new Gate();
    gates.g1 = { gate, file: 'small' };
    const received: Buffer[] = [];
    let count = 0;
    const done = new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`small 0 ${content.length - 1} gate g1\n`));
      socket.on('data', (c: Buffer) => {
        received.push(c);
        count += c.length;
      });
      socket.on('end', () => resolve());
      socket.on('error', reject);
    });
    gate.set(3 * MiB);
    const deadline = Date.now() + 5_000;
    while (count < 3 * MiB && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    expect(count).toBe(3 * MiB);
    gate.set(content.length);
    await done;
    expect(Buffer.concat(received).equals(content)).toBe(true);
    await settled(1);
    expect(outcomes).toEqual(['sent']);
  });

  it('stops with ESOURCE when the gate fails', async () => {
    outcomes.length = 0;
    const gate = new Gate();
    gates.g2 = { gate, file: 'small' };
    gate.set(MiB);
    const got = fetchBytes(`small 0 ${content.length - 1} gate g2`).catch(() => Buffer.alloc(0));
    await new Promise((r) => setTimeout(r, 200));
    gate.fail();
    await got;
    await settled(1);
    expect(outcomes[0]).toMatch(/^failed: ESOURCE: /);
  });

  it('gives up at once, with an error, when the client goes away in the middle', async () => {
    outcomes.length = 0;
    await new Promise<void>((resolve, reject) => {
      // The client reads nothing (the socket buffers fill, sendfile waits), then hangs up.
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`big 0 ${big.length - 1}\n`);
        socket.pause();
        setTimeout(() => socket.destroy(), 300);
      });
      socket.on('close', () => resolve());
      setTimeout(() => reject(new Error('the connection did not end')), 10_000);
    });
    await settled(1);
    expect(outcomes).toHaveLength(1);
    // Named as Node names a client that went away (the server then does not log it as an error).
    expect(outcomes[0]).toMatch(/^failed: (EPIPE|ECONNRESET): /);
  });
});
