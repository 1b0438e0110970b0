import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DockerRepository, RepositoryManager } from '@wharf/registry-core';
import type { Target } from './routes';

/** Everything a route handler needs for one registry request on one repository. */
export interface RegistryContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  head: boolean;
  query: URLSearchParams;
  target: Target;
  repository: DockerRepository;
  manager: RepositoryManager;
  /** Resolves a registry name as the client wrote it (e.g. a mount's `from`) to a repository and image. */
  resolveName(name: string): { repository: DockerRepository; image: string } | null;
  /**
   * Set when the caller may only add tags or only move them: called before a manifest is stored under a tag,
   * with the digest it would point to; throws when the caller may not.
   */
  authorizeTag?(tag: string, digest: string): Promise<void>;
}

/** URLs in the client's own addressing form (connector root, /v2/<repo>/..., or /repository/<repo>/v2/...). */
export function urlFor(target: Target, tail: string): string {
  return `${target.prefix}/v2/${target.name}/${tail}`;
}
