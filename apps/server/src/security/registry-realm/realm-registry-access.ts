import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError, formatBasicChallenge, formatBearerChallenge, parseAuthorization } from '@wharf/oci';
import type { RepositoryManager } from '@wharf/registry-core';
import {
  type AccessAction,
  type AccessScope,
  type Endpoint,
  type Principal,
  RegistryAccess,
  type RegistryAction,
} from '../../distribution/registry-access';
import { clientAddress as address } from '../../http/client-address';
import type { WharfSettings } from '../../settings';
import type { AnonymousAccess } from '../domain/anonymous-access';
import { looksLikeApiToken } from '../domain/api-tokens.service';
import type { Authenticator, Login } from '../domain/authenticator';
import { ThrottledError } from '../domain/errors';
import type { PrivilegeAction } from '../domain/privileges';
import type { RealmSettings } from '../domain/realms';
import { RegistryBearer } from './registry-bearer';
import type { SecurityModel } from '../domain/security-model';
import { JwtError, type TokenClaims } from './jwt';
import { TokenEndpoint } from './token-endpoint';
import { REGISTRY_SERVICE, type TokenService } from './token-service';

export const BASIC_REALM = 'Wharf';

type BearerIdentity = { kind: 'api-token'; login: Login } | { kind: 'jwt'; claims: TokenClaims };

const CATALOG_SCOPE = 'registry:catalog:*';

/**
 * Registry access under the active realms. With `DockerToken` on, clients are challenged with
 * `Bearer realm="<port>/v2/token"` and present the short-lived JWT the token endpoint signed; without
 * it, with `Basic realm="Wharf"`. In both modes Basic credentials (a password, or an API token as the
 * password) and API tokens as bearer tokens are accepted, and callers without credentials are the
 * anonymous user where anonymous access is on and the repository does not force authentication.
 * Every decision ends in the user's current privileges, so a revoked role takes effect at once,
 * tokens in flight included.
 */
export class RealmRegistryAccess extends RegistryAccess {
  private readonly bearer: RegistryBearer<BearerIdentity>;
  private readonly tokenEndpoint: TokenEndpoint;

  constructor(
    private readonly model: SecurityModel,
    private readonly authenticator: Authenticator,
    private readonly anonymous: AnonymousAccess,
    private readonly realms: RealmSettings,
    private readonly manager: RepositoryManager,
    private readonly tokens: TokenService,
    private readonly settings: WharfSettings,
  ) {
    super();
    this.bearer = new RegistryBearer<BearerIdentity>((token, req) => this.verifyBearer(token, req));
    this.tokenEndpoint = new TokenEndpoint({
      realms,
      tokens,
      manager,
      authenticate: (req) => this.authenticateTokenClient(req),
      canAccess: (principal, repository, action) => this.canAccess(principal, repository, action),
    });
  }

  async authenticate(req: IncomingMessage, endpoint: Endpoint, scope?: AccessScope): Promise<Principal> {
    const header = req.headers.authorization;
    if (header === undefined) {
      if (this.anonymousMayTry(endpoint, scope)) return this.anonymousPrincipal();
      throw this.challenge(req, endpoint, scope);
    }
    const credentials = parseAuthorization(header);
    if (credentials === null) throw this.challenge(req, endpoint, scope);
    if (credentials.scheme === 'basic') {
      const login = await this.basic(credentials.username, credentials.password, req, 'registry');
      if (!login) throw this.challenge(req, endpoint, scope);
      return this.userPrincipal(login);
    }
    const identity = await this.bearer.authenticate(req);
    if (!identity) throw this.challenge(req, endpoint, scope, 'invalid_token');
    if (identity.kind === 'api-token') return this.userPrincipal(identity.login);
    const principal = await this.tokenPrincipal(identity.claims);
    if (!principal) throw this.challenge(req, endpoint, scope, 'invalid_token');
    if (scope !== undefined && !covers(identity.claims, scope)) {
      // An anonymous token is asked to authenticate (docker: "authentication required"), a user's token for more scope.
      throw this.challenge(req, endpoint, scope, principal.anonymous ? undefined : 'insufficient_scope');
    }
    return principal;
  }

  canAccess(principal: Principal, repository: string, action: AccessAction): boolean {
    let userId = principal.userId;
    if (principal.anonymous) {
      // forceBasicAuth: this repository is never for anonymous callers, whatever the anonymous user's roles.
      const config = this.manager.config(repository);
      if (!this.anonymous.enabled || !config || config.docker.forceBasicAuth) return false;
      userId = this.anonymous.get().userId;
      // Stored before this was refused, or made an administrator since: anonymous callers never get nx-all.
      if (this.model.privilegesOf(userId).isAll) return false;
    }
    if (!this.model.isActive(userId)) return false;
    const privileges = this.model.privilegesOf(userId);
    if (action === 'pull') return privileges.allows(repository, 'read');
    if (action === 'push') return privileges.allows(repository, 'add') || privileges.allows(repository, 'edit');
    return privileges.allows(repository, action satisfies PrivilegeAction);
  }

  denied(principal: Principal, req: IncomingMessage, endpoint: Endpoint, scope: AccessScope): RegistryError {
    // Anonymous callers are asked to log in; a bearer token lacking the action is asked to get a better one
    // (the token endpoint grants only what the privileges allow, so the client then reports the refusal).
    if (principal.anonymous) return this.challenge(req, endpoint, scope);
    if (principal.via === 'token') return this.challenge(req, endpoint, scope, 'insufficient_scope');
    const what = scope === 'catalog' ? 'browse the catalog' : `${scope.actions.join(',')} in repository ${scope.repository}`;
    return new RegistryError('DENIED', `${principal.userId} may not ${what}`, scope === 'catalog' ? undefined : detail(endpoint, scope));
  }

  challenge(req: IncomingMessage, endpoint: Endpoint, scope?: AccessScope, error?: string): RegistryError {
    const header = this.realms.dockerToken
      ? formatBearerChallenge({
          realm: `${this.settings.portBase(req, endpoint.fixed !== null && endpoint.prefix === '')}${endpoint.prefix}/v2/token`,
          service: REGISTRY_SERVICE,
          ...(scope !== undefined ? { scope: scopeString(endpoint, scope) } : {}),
          ...(error !== undefined ? { error } : {}),
        })
      : formatBasicChallenge(BASIC_REALM);
    const message = error === 'insufficient_scope' ? 'the token does not grant access to the requested resource' : 'authentication required';
    return new RegistryError('UNAUTHORIZED', message, scope === undefined || scope === 'catalog' ? undefined : detail(endpoint, scope), {
      headers: { 'WWW-Authenticate': header },
    });
  }

  token(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, query: URLSearchParams): Promise<void> {
    return this.tokenEndpoint.handle(req, res, endpoint, query);
  }

  /** The caller of the token endpoint: Basic credentials, an API token, or anonymous. */
  private async authenticateTokenClient(req: IncomingMessage): Promise<Principal> {
    const header = req.headers.authorization;
    const refuse = (message: string) =>
      new RegistryError('UNAUTHORIZED', message, undefined, { headers: { 'WWW-Authenticate': formatBasicChallenge(BASIC_REALM) } });
    // No credentials: an anonymous token, whose access is empty unless anonymous access is on (as Docker Hub
    // does). Refusing it would make docker retry every layer of a push for a minute before it gives up.
    if (header === undefined) return this.anonymousPrincipal();
    const credentials = parseAuthorization(header);
    if (credentials?.scheme === 'basic') {
      const login = await this.basic(credentials.username, credentials.password, req, 'token');
      if (!login) throw refuse('incorrect username or password');
      return this.userPrincipal(login);
    }
    if (credentials?.scheme === 'bearer' && looksLikeApiToken(credentials.token)) {
      const login = await this.authenticator.apiToken(credentials.token, address(req), 'token');
      if (login) return this.userPrincipal(login);
    }
    throw refuse('incorrect username or password');
  }

  private async basic(username: string, password: string, req: IncomingMessage, channel: 'registry' | 'token'): Promise<Login | null> {
    try {
      return await this.authenticator.basic(username, password, address(req), channel);
    } catch (err) {
      if (err instanceof ThrottledError) {
        throw new RegistryError('TOOMANYREQUESTS', err.message, undefined, { headers: { 'Retry-After': String(err.retryAfter) } });
      }
      throw err;
    }
  }

  private async verifyBearer(token: string, req: IncomingMessage): Promise<BearerIdentity | null> {
    if (looksLikeApiToken(token)) {
      const login = await this.authenticator.apiToken(token, address(req), 'registry');
      return login ? { kind: 'api-token', login } : null;
    }
    if (!this.realms.dockerToken) return null;
    try {
      return { kind: 'jwt', claims: this.tokens.verify(token) };
    } catch (err) {
      if (err instanceof JwtError) return null;
      throw err;
    }
  }

  /**
   * The caller a registry token stands for, checked against the present state: its user must still be
   * active, and the API token it was obtained with (if any) must still stand, so that disabling, deleting
   * or revoking reaches tokens already issued (within the API token cache's second).
   */
  private async tokenPrincipal(claims: TokenClaims): Promise<Principal | null> {
    if (claims.sub === '') return { ...this.anonymousPrincipal(), via: 'token', access: claims.access };
    if (!this.model.isActive(claims.sub)) return null;
    if (claims.tid !== undefined && !(await this.authenticator.apiTokenLive(claims.tid))) return null;
    return { userId: claims.sub, anonymous: false, roles: this.model.rolesOf(claims.sub), via: 'token', access: claims.access };
  }

  private userPrincipal(login: Login): Principal {
    const { userId, via, tokenId } = login;
    return { userId, anonymous: false, roles: this.model.rolesOf(userId), via, ...(tokenId ? { apiTokenId: tokenId } : {}) };
  }

  private anonymousPrincipal(): Principal {
    const userId = this.anonymous.get().userId;
    return { userId, anonymous: true, roles: this.model.rolesOf(userId), via: 'anonymous' };
  }

  /**
   * May a caller without credentials go ahead (its privileges are checked next)? Only with anonymous access on,
   * on a repository that does not force authentication, or the main port's catalog.
   * The API root (`/v2/`) is where Docker learns how to authenticate: in token mode it always answers with the
   * challenge (anonymous clients then fetch anonymous tokens; without it `docker push` and `docker login` would
   * never authenticate). In Basic mode a connector that anonymous callers may use answers 200 (mirrors);
   * the main port's root always asks, so that `docker login` checks the password.
   */
  private anonymousMayTry(endpoint: Endpoint, scope: AccessScope | undefined): boolean {
    if (!this.anonymous.enabled) return false;
    if (scope === undefined && this.realms.dockerToken) return false;
    const repository = scope !== undefined && scope !== 'catalog' ? scope.repository : endpoint.fixed;
    if (repository === null) return scope === 'catalog';
    const config = this.manager.config(repository);
    return config !== undefined && !config.docker.forceBasicAuth;
  }
}

/** Does a token's access claim cover what a request needs? Names in the claim are `<repository>/<image>`. */
function covers(claims: TokenClaims, scope: AccessScope): boolean {
  if (scope === 'catalog') return claims.access.some((a) => a.type === 'registry' && a.name === 'catalog' && a.actions.includes('*'));
  const name = `${scope.repository}/${scope.image}`;
  const granted = new Set<string>();
  for (const a of claims.access) if (a.type === 'repository' && a.name === name) for (const action of a.actions) granted.add(action);
  return granted.has('*') || scope.actions.every((action) => granted.has(action));
}

/** The scope of a challenge, in the client's own naming (images of the repository on a connector port). */
function scopeString(endpoint: Endpoint, scope: AccessScope): string {
  if (scope === 'catalog') return CATALOG_SCOPE;
  const name = endpoint.fixed !== null ? scope.image : `${scope.repository}/${scope.image}`;
  const actions: RegistryAction[] = scope.actions.includes('push') && !scope.actions.includes('pull') ? ['pull', ...scope.actions] : scope.actions;
  return `repository:${name}:${actions.join(',')}`;
}

function detail(endpoint: Endpoint, scope: Exclude<AccessScope, 'catalog'>): { Type: string; Name: string; Action: string }[] {
  const name = endpoint.fixed !== null ? scope.image : `${scope.repository}/${scope.image}`;
  return scope.actions.map((action) => ({ Type: 'repository', Name: name, Action: action }));
}
