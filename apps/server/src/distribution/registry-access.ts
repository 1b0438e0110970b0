import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryError } from '@wharf/oci';

/** One entry of a registry token's access claim: a resource (qualified `<repository>/<image>`) and actions. */
export interface AccessGrant {
  type: string;
  name: string;
  actions: string[];
}

/** Who is calling, as far as the registry API is concerned. */
export interface Principal {
  userId: string;
  anonymous: boolean;
  roles: string[];
  /** How the caller authenticated: Basic password, API token, a registry bearer token (JWT), or not at all. */
  via: 'password' | 'api-token' | 'token' | 'anonymous';
  /** With `via: 'token'`: what the token grants. */
  access?: readonly AccessGrant[];
  /** The API token behind this caller (`via: 'api-token'`), so tokens issued to it can be tied to it. */
  apiTokenId?: string;
}

/** What a registry request does: pull (read), push (add or edit), delete. */
export type RegistryAction = 'pull' | 'push' | 'delete';

/** Finer actions the dispatcher asks about: browse (catalog), add (a new tag), edit (moving a tag). */
export type AccessAction = RegistryAction | 'browse' | 'add' | 'edit';

/**
 * Where the client is talking to: a repository's connector port or `/repository/<repo>/v2` (names are
 * images of `fixed`), or the main port's `/v2/<repo>/<image>` (fixed null). Challenges point there.
 */
export interface Endpoint {
  fixed: string | null;
  /** '' or '/repository/<repo>'. */
  prefix: string;
}

/** The resource a request needs: images of a repository, or the catalog. */
export type AccessScope = { repository: string; image: string; actions: RegistryAction[] } | 'catalog';

/**
 * Authentication and authorization for registry requests, provided by the auth module.
 * `authenticate` throws RegistryError('UNAUTHORIZED') with a challenge when credentials are missing or wrong,
 * or when a bearer token does not cover `scope`; `scope` undefined is the API root (`/v2/`).
 */
export abstract class RegistryAccess {
  abstract authenticate(req: IncomingMessage, endpoint: Endpoint, scope?: AccessScope): Promise<Principal>;
  abstract canAccess(principal: Principal, repository: string, action: AccessAction): boolean;
  /** The error for an authenticated caller that may not do this: 401 with a challenge (anonymous, bearer token) or 403 DENIED. */
  abstract denied(principal: Principal, req: IncomingMessage, endpoint: Endpoint, scope: AccessScope): RegistryError;
  /** The 401 that asks the client to authenticate (with the active realm's challenge). */
  abstract challenge(req: IncomingMessage, endpoint: Endpoint, scope?: AccessScope): RegistryError;
  /** The token endpoint (`/v2/token` on this endpoint), Docker token authentication. */
  abstract token(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, query: URLSearchParams): Promise<void>;
}
