import { afterEach } from 'vitest';
import { BlobOrigin, type BlobOriginOptions } from './blob-origin';
import { TokenServer, type TokenServerOptions } from './token-server';
import { UpstreamRegistry, type UpstreamRegistryOptions } from './upstream-registry';

/**
 * For a test file: what a test starts (registries, token servers, blob origins, or anything handed to `defer`) is
 * stopped after it, newest first. Call it at the top level of the file (it registers an afterEach).
 */
export function upstreamsPerTest() {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const defer = (fn: () => unknown): void => void cleanups.push(fn);
  const stopping = <T extends { stop(): unknown }>(server: T): T => (defer(() => server.stop()), server);
  return {
    defer,
    registry: async (options: UpstreamRegistryOptions = {}) => stopping(await UpstreamRegistry.start(options)),
    tokenServer: async (options: TokenServerOptions = {}) => stopping(await TokenServer.start(options)),
    blobOrigin: async (options: BlobOriginOptions = {}) => stopping(await BlobOrigin.start(options)),
  };
}
