// Ports for the servers the bench starts. A port is found free by binding port 0 and closing it, and the
// server binds it a moment later: in between, a server the bench starts at the same time (a proxy pair starts
// Wharf and Distribution together) or any other process on the machine may take it. So no port is handed out
// twice in one run, and starting a server is retried with other ports when its port was taken meanwhile.
import * as net from 'node:net';
import { errorMessage, log } from './proc';

const handedOut = new Set<number>();

/** A currently free TCP port on 127.0.0.1 (the kernel picks it; released before returning), never one handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await kernelPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}

/** How Wharf ("port N is already in use"), Distribution ("bind: address already in use") and Node (EADDRINUSE) say it. */
const PORT_TAKEN = /already in use|EADDRINUSE/;

/**
 * Runs `start()` (which picks its ports with freePorts and cleans up after itself when it fails) again, up to
 * `attempts` times, when it failed because one of its ports was taken before the server bound it.
 */
export async function retryWhenPortTaken<T>(what: string, start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !PORT_TAKEN.test(errorMessage(err))) throw err;
      log(`${what}: a port was taken by another process before the server bound it; starting again with other ports`);
    }
  }
}
