import { type Server, createServer } from 'node:net';

const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that was free a moment ago (chosen by the kernel, never handed out twice here). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const server = await occupyPort(0);
    const port = (server.address() as { port: number }).port;
    await release(server);
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free TCP port on 127.0.0.1');
}

/** Binds a plain TCP server on 127.0.0.1:port (0: any), so that nobody else can. */
export function occupyPort(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function release(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** True when the port can be bound on 127.0.0.1 right now (nobody listens on it). */
export async function canBind(port: number): Promise<boolean> {
  try {
    await release(await occupyPort(port));
    return true;
  } catch {
    return false;
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port (the e2e harness's check). */
export { isListening } from '../../../../test/support/ports';
