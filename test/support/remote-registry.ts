import { UpstreamRegistry } from '@wharf/test-kit';
import type { Cleanup } from './cleanup';
import { Distribution } from './distribution';

/**
 * A remote registry as a Wharf proxy meets it in the e2e suites: CNCF Distribution (seed it directly, those
 * pushes are not counted) behind the test kit's pass-through, which counts what Wharf asked and can misbehave
 * or go down. Point proxies at `faults.url`.
 */
export interface RemoteRegistry {
  readonly registry: Distribution;
  readonly faults: UpstreamRegistry;
}

/** Starts both below `dir`, each stopped by `cleanup`; `name` tells them apart in logs and teardown. */
export async function startRemoteRegistry(cleanup: Cleanup, dir: string, name: string): Promise<RemoteRegistry> {
  const registry = cleanup.stopping(`registry ${name}`, await Distribution.start({ dir, name }));
  const faults = cleanup.stopping(`pass-through to ${name}`, await UpstreamRegistry.start({ target: registry.url }));
  return { registry, faults };
}
