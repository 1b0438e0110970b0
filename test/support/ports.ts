import { connect, createServer } from 'node:net';

const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. The kernel picks it (port 0), so parallel
 * runs do not collide; within this process a port is never handed out twice.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolvePort, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
        const address = server.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolvePort(p));
      });
    });
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('could not find a free TCP port on 127.0.0.1');
}

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
export async function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolveListening) => {
    const socket = connect({ host, port });
    const done = (value: boolean) => {
      socket.destroy();
      resolveListening(value);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
