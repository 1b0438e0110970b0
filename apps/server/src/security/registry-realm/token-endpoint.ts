import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError, type Scope, mergeScopes, parseScopes, validateName } from '@wharf/oci';
import type { RepositoryManager } from '@wharf/registry-core';
import type { AccessAction, Endpoint, Principal, RegistryAction } from '../../distribution/registry-access';
import { factsOf } from '../../http/request-facts';
import type { RealmSettings } from '../domain/realms';
import type { AccessEntry } from './jwt';
import type { TokenService } from './token-service';

export interface TokenEndpointDeps {
  realms: RealmSettings;
  tokens: TokenService;
  manager: RepositoryManager;
  /** The caller: Basic credentials, an API token, or anonymous; throws a 401/429 RegistryError. */
  authenticate(req: IncomingMessage): Promise<Principal>;
  canAccess(principal: Principal, repository: string, action: AccessAction): boolean;
}

const REGISTRY_ACTIONS: RegistryAction[] = ['pull', 'push', 'delete'];
const MAX_FORM_BYTES = 16 * 1024;

/**
 * `GET /v2/token?service=...&scope=repository:<name>:pull,push` (docs/spec/auth/token.md), also the OAuth2
 * `POST` form with `grant_type=password`. The caller is authenticated (or anonymous), each requested scope
 * is intersected with what its privileges allow (never an error: what is not allowed is left out), and a
 * short-lived token is signed whose access claim names repositories in full (`<repository>/<image>`).
 * On a connector port (or under /repository/<repo>), scope names are images of that repository.
 */
export class TokenEndpoint {
  constructor(private readonly deps: TokenEndpointDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, query: URLSearchParams): Promise<void> {
    if (!this.deps.realms.dockerToken) {
      throw new RegistryError('UNSUPPORTED', 'the Docker token realm is not active on this server', undefined, { status: 404 });
    }
    let params = query;
    if (req.method === 'POST') {
      params = await readForm(req);
      const grant = params.get('grant_type');
      if (grant !== 'password') return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'only grant_type=password is supported' });
      const username = params.get('username') ?? '';
      const password = params.get('password') ?? '';
      // The form's credentials go through the same path as Basic credentials.
      req.headers.authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    }
    let scopes: Scope[];
    try {
      scopes = mergeScopes(parseScopes(params.getAll('scope')));
    } catch (err) {
      throw new RegistryError('UNSUPPORTED', (err as Error).message, undefined, { status: 400 });
    }
    const principal = await this.deps.authenticate(req);
    factsOf(req).user = principal.userId;
    const access: AccessEntry[] = [];
    for (const scope of scopes) {
      const entry = this.grant(principal, endpoint, scope);
      if (entry) access.push(entry);
    }
    const issued = this.deps.tokens.issue(principal.anonymous ? '' : principal.userId, access, principal.apiTokenId);
    if (req.method === 'POST') {
      return sendJson(res, 200, {
        access_token: issued.access_token,
        token_type: 'Bearer',
        scope: access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' '),
        expires_in: issued.expires_in,
        issued_at: issued.issued_at,
      });
    }
    return sendJson(res, 200, issued);
  }

  /** The intersection of one requested scope with the caller's privileges, or null for nothing. */
  private grant(principal: Principal, endpoint: Endpoint, scope: Scope): AccessEntry | null {
    if (scope.type === 'registry') {
      return scope.name === 'catalog' && scope.actions.includes('*') ? { type: 'registry', name: 'catalog', actions: ['*'] } : null;
    }
    if (scope.type !== 'repository') return null;
    const target = qualify(endpoint, scope.name);
    if (!target) return null;
    const allowed = (action: RegistryAction) => this.deps.canAccess(principal, target.repository, action);
    const granted = new Set<string>();
    for (const action of scope.actions) {
      if (action === '*') {
        if (REGISTRY_ACTIONS.every(allowed)) granted.add('*');
      } else if ((REGISTRY_ACTIONS as string[]).includes(action) && allowed(action as RegistryAction)) {
        granted.add(action);
      }
    }
    if (granted.size === 0) return null;
    return { type: 'repository', name: `${target.repository}/${target.image}`, actions: [...granted] };
  }
}

/** `<image>` of the endpoint's repository, or `<repository>/<image>` on the main port; null when not a valid name. */
function qualify(endpoint: Endpoint, name: string): { repository: string; image: string } | null {
  try {
    validateName(name);
  } catch {
    return null;
  }
  if (endpoint.fixed !== null) return { repository: endpoint.fixed, image: name };
  const slash = name.indexOf('/');
  if (slash <= 0) return null;
  return { repository: name.slice(0, slash), image: name.slice(slash + 1) };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded/i.test(type)) {
    throw new RegistryError('UNSUPPORTED', 'the token endpoint takes application/x-www-form-urlencoded', undefined, { status: 400 });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new RegistryError('UNSUPPORTED', 'request body too large', undefined, { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': bytes.length,
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(bytes);
}
