import type { IncomingMessage } from 'node:http';

/**
 * Reads a (small) request body whole; null when it is longer than `limit` bytes (a declared length is refused
 * before anything is read). A body refused is left where it is, not destroyed: destroying the request would
 * reset the connection, and the client still sending would not read the answer (lingering-close.ts).
 */
export function readBodyUpTo(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = (result: Buffer | null, err?: unknown) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (err) reject(err);
      else resolve(result);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= limit) return void chunks.push(chunk);
      req.pause();
      settle(null);
    };
    const onEnd = () => settle(Buffer.concat(chunks));
    const onError = (err: Error) => settle(null, err);
    const onAborted = () => settle(null, Object.assign(new Error('the client closed the connection'), { code: 'ECONNRESET' }));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}
