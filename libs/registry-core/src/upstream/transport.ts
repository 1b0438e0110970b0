/**
 * The choice of transport for one upstream request. Blob GETs go through the native addon's HTTP client when
 * it is here (native-exchange.ts: HTTP and HTTPS alike, and the body never enters JavaScript); everything
 * else, and everything without the addon, through node:http/https (node-exchange.ts). No redirects and no
 * auth here; the RegistryClient drives those.
 */
import { type Exchange, type HopRequest, type TransportSettings } from './exchange';
import { sendNodeHop } from './node-exchange';

export * from './exchange';

/**
 * Sends one request and resolves with the response head. A request that fails on a reused
 * keep-alive connection before any response (the server closed it while idle) is retried once on
 * a new connection: GET and HEAD are idempotent.
 */
export async function sendHop(req: HopRequest, settings: TransportSettings): Promise<Exchange> {
  const native = req.native ? settings.native : undefined;
  const send = native ? (hop: HopRequest) => native.send(hop, settings) : (hop: HopRequest) => sendNodeHop(hop, settings);
  try {
    return await send(req);
  } catch (e) {
    if ((e as { reusedSocketReset?: boolean }).reusedSocketReset === true) return send(req);
    throw e;
  }
}
