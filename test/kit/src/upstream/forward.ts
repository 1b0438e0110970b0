import { type IncomingMessage, request } from 'node:http';

/** Sends a body-less request to a plain-HTTP registry behind the harness; resolves with its answer. */
export function forward(url: string, method: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, resolve);
    req.once('error', reject);
    req.end();
  });
}
