import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { RegistryError } from '@wharf/oci';
import { type DockerRepository, LoginRequired, type RepositoryManager } from '@wharf/registry-core';
import { deleteBlob, getBlob } from './blobs.handler';
import { globalCatalog, repositoryCatalog, sendCatalog } from './catalog.handler';
import type { RegistryContext } from './context';
import { listReferrers, listTags } from './discovery.handler';
import { type ErrorLog, writeRegistryError } from './error-writer';
import { sendJson } from './http-io';
import { deleteManifest, getManifest, putManifest } from './manifests.handler';
import type { Endpoint, Principal, RegistryAccess, RegistryAction } from './registry-access';
import { type Route, type Target, decodePath, matchRoute, splitRepositoryName } from './routes';
import { appendChunk, cancelUpload, finishUpload, startUpload, uploadStatus } from './uploads.handler';
import { factsOf } from '../http/request-facts';

const REPOSITORY_PREFIX = '/repository/';

/** Route labels of the access log and metrics: the spec's path templates. */
const ROUTE_LABELS: Record<Route['kind'], string> = {
  base: '/v2/',
  token: '/v2/token',
  catalog: '/v2/_catalog',
  tags: '/v2/{name}/tags/list',
  manifest: '/v2/{name}/manifests/{reference}',
  blob: '/v2/{name}/blobs/{digest}',
  uploads: '/v2/{name}/blobs/uploads/',
  upload: '/v2/{name}/blobs/uploads/{id}',
  referrers: '/v2/{name}/referrers/{digest}',
};

/** Upload bodies of at least this size (or chunked) are taken off the HTTP parser (see http/taken-bodies.ts). */
const TAKEN_BODY_MIN_BYTES = 1024 * 1024;

/** Is this main-port path for the registry API (rather than the REST API or the UI)? */
export function isRegistryPath(url: string): boolean {
  return url.startsWith('/v2') || url.startsWith(REPOSITORY_PREFIX);
}

/** A request URL as the dispatcher reads it: the registry path, the query and the repository it names, if any. */
interface Located {
  path: string;
  query: URLSearchParams;
  repository: string | null;
  /** '' or '/repository/<repo>': how the client addressed the repository. */
  prefix: string;
}

function locate(url: string, fixed: string | null): Located {
  const q = url.indexOf('?');
  let path = decodePath(q < 0 ? url : url.slice(0, q));
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  let prefix = '';
  let repository = fixed;
  if (fixed === null && path.startsWith(REPOSITORY_PREFIX)) {
    const rest = path.slice(REPOSITORY_PREFIX.length);
    const slash = rest.indexOf('/');
    repository = slash < 0 ? rest : rest.slice(0, slash);
    prefix = REPOSITORY_PREFIX + repository;
    path = slash < 0 ? '/' : rest.slice(slash);
  }
  return { path, query, repository, prefix };
}

/**
 * Whether a request carries a blob upload body worth reading off the JavaScript thread: a PATCH or PUT of an
 * upload session, or a POST with ?digest= (single-request upload), chunked or of at least 1 MiB. Decided from
 * the head alone, before the request is dispatched.
 */
export function takesUploadBody(req: IncomingMessage): boolean {
  const method = req.method;
  if (method !== 'PATCH' && method !== 'PUT' && method !== 'POST') return false;
  const chunked = /\bchunked\s*$/i.test(req.headers['transfer-encoding'] ?? '');
  if (!chunked && !(Number(req.headers['content-length']) >= TAKEN_BODY_MIN_BYTES)) return false;
  try {
    const { path, query } = locate(req.url ?? '/', null);
    const route = matchRoute(path);
    if (route?.kind === 'upload') return method !== 'POST';
    return route?.kind === 'uploads' && method === 'POST' && query.has('digest');
  } catch {
    return false; // a malformed path: the dispatcher answers it
  }
}

/**
 * The Registry HTTP API v2 dispatcher: parse -> authenticate -> resolve the repository -> thin handler.
 * Plain Node handlers keep the hot paths (manifest by tag, blob download) free of framework overhead,
 * and the same listener serves both the main port and every connector port.
 */
export class RegistryHandler {
  constructor(
    private readonly manager: RepositoryManager,
    private readonly access: RegistryAccess,
    private readonly log: ErrorLog,
  ) {}

  /** Listener for the main port: repositories addressed by path. */
  readonly main: RequestListener = (req, res) => {
    void this.handle(req, res, null);
  };

  /** Listener for a repository's connector port: the API at the root. */
  connector(repository: string): RequestListener {
    return (req, res) => {
      void this.handle(req, res, repository);
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse, fixed: string | null): Promise<void> {
    // Blobs and manifests are whatever clients pushed: a browser must never guess they are HTML.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      const { path, query, repository, prefix } = locate(req.url ?? '/', fixed);
      const facts = factsOf(req);
      facts.route = '/v2/*';
      if (repository !== null) facts.repository = repository;
      const route = matchRoute(path);
      if (!route) throw new RegistryError('UNSUPPORTED', `no registry route for ${req.method} ${path}`, undefined, { status: 404 });
      facts.route = ROUTE_LABELS[route.kind];
      await this.dispatch(req, res, route, query, repository, prefix, path);
    } catch (err) {
      writeRegistryError(req, res, err, this.log);
    }
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    query: URLSearchParams,
    fixed: string | null,
    prefix: string,
    path: string,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const endpoint: Endpoint = { fixed, prefix };
    if (route.kind === 'token') {
      allow(method, ['GET', 'POST']);
      return this.access.token(req, res, endpoint, query);
    }
    if (route.kind === 'base') {
      allow(method, ['GET', 'HEAD']);
      if (fixed !== null) this.manager.require(fixed);
      factsOf(req).user = (await this.access.authenticate(req, endpoint)).userId;
      return sendJson(res, 200, {}, {}, method === 'HEAD');
    }
    if (route.kind === 'catalog') {
      allow(method, ['GET', 'HEAD']);
      const principal = await this.access.authenticate(req, endpoint, 'catalog');
      factsOf(req).user = principal.userId;
      const view = this.readView(principal, query);
      if (fixed !== null) {
        const named = this.manager.require(fixed);
        if (!this.access.canAccess(principal, fixed, 'browse')) throw this.access.denied(principal, req, endpoint, 'catalog');
        return sendCatalog(req, res, prefix + path, await repositoryCatalog(view(named), query));
      }
      const visible = (name: string) => this.access.canAccess(principal, name, 'browse');
      return sendCatalog(req, res, path, await globalCatalog(this.manager, query, visible, view, this.log));
    }

    const target = this.target(route.name, fixed, prefix);
    const facts = factsOf(req);
    facts.repository = target.repository;
    const action = actionOf(route, method);
    const scope = { repository: target.repository, image: target.image, actions: [action] };
    const principal = await this.access.authenticate(req, endpoint, scope);
    facts.user = principal.userId;
    // Authorization before existence: a caller that may not see a repository does not learn whether it exists.
    if (!this.access.canAccess(principal, target.repository, action)) throw this.access.denied(principal, req, endpoint, scope);
    const named = this.manager.require(target.repository);
    // A group serves only members this caller may read; containerd names the mirrored registry with ?ns=.
    const repository = this.readView(principal, query)(named);
    const ctx: RegistryContext = {
      req,
      res,
      method,
      head: method === 'HEAD',
      query,
      target,
      repository,
      manager: this.manager,
      resolveName: (name) => this.resolveMountSource(name, fixed, prefix, (repo) => this.access.canAccess(principal, repo, 'pull')),
    };
    if (route.kind === 'manifest' && method === 'PUT') {
      const mayAdd = this.access.canAccess(principal, target.repository, 'add');
      const mayEdit = this.access.canAccess(principal, target.repository, 'edit');
      if (!mayAdd || !mayEdit) {
        // Push is add (a new tag) and edit (moving a tag): which one this is depends on the tag's current digest.
        ctx.authorizeTag = async (tag, digest) => {
          // Ask where the push lands (a group's writable member), never a proxy's upstream.
          const current = await (repository.writeTarget?.() ?? repository).getManifest(target.image, tag);
          const allowed = current === null ? mayAdd : current.digest === digest || mayEdit;
          if (!allowed) throw this.access.denied(principal, req, endpoint, scope);
        };
      }
    }
    try {
      return await this.route(ctx, route);
    } catch (err) {
      // A group's member this caller may not read might hold it: ask it to log in.
      if (err instanceof LoginRequired) throw this.access.challenge(req, endpoint, scope);
      throw err;
    }
  }

  /** How this caller sees a repository: a group restricted to the members it may read. */
  private readView(principal: Principal, query: URLSearchParams): (repository: DockerRepository) => DockerRepository {
    const ns = query.get('ns') ?? undefined;
    const canRead = (name: string) => this.access.canAccess(principal, name, 'pull');
    return (named) => (named.restrictTo ? named.restrictTo({ canRead, loginForHidden: principal.anonymous, ...(ns ? { ns } : {}) }) : named);
  }

  private route(ctx: RegistryContext, route: Exclude<Route, { kind: 'base' } | { kind: 'catalog' } | { kind: 'token' }>): Promise<void> {
    const method = ctx.method;
    switch (route.kind) {
      case 'tags':
        allow(method, ['GET', 'HEAD']);
        return listTags(ctx);
      case 'manifest':
        allow(method, ['GET', 'HEAD', 'PUT', 'DELETE']);
        if (method === 'PUT') return putManifest(ctx, route.reference);
        if (method === 'DELETE') return deleteManifest(ctx, route.reference);
        return getManifest(ctx, route.reference);
      case 'blob':
        allow(method, ['GET', 'HEAD', 'DELETE']);
        if (method === 'DELETE') return deleteBlob(ctx, route.digest);
        return getBlob(ctx, route.digest);
      case 'uploads':
        allow(method, ['POST']);
        return startUpload(ctx);
      case 'upload':
        allow(method, ['GET', 'PATCH', 'PUT', 'DELETE']);
        if (method === 'PATCH') return appendChunk(ctx, route.id);
        if (method === 'PUT') return finishUpload(ctx, route.id);
        if (method === 'DELETE') return cancelUpload(ctx, route.id);
        return uploadStatus(ctx, route.id);
      case 'referrers':
        allow(method, ['GET', 'HEAD']);
        return listReferrers(ctx, route.digest);
    }
  }

  private target(name: string, fixed: string | null, prefix: string): Target {
    if (fixed !== null) return { repository: fixed, image: name, name, prefix };
    const { repository, image } = splitRepositoryName(name);
    return { repository, image, name, prefix };
  }

  /** A mount's `from` is a name in the same addressing form as the request; the caller must be able to read it. */
  private resolveMountSource(
    name: string,
    fixed: string | null,
    prefix: string,
    canRead: (repository: string) => boolean,
  ): { repository: DockerRepository; image: string } | null {
    let target: Target;
    try {
      target = this.target(decodePath(name), fixed, prefix);
    } catch {
      return null;
    }
    const repository = this.manager.get(target.repository);
    if (!repository || !canRead(target.repository)) return null;
    return { repository, image: target.image };
  }
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) {
    throw new RegistryError('UNSUPPORTED', `${method} is not supported here; use ${methods.join(', ')}`, undefined, {
      headers: { Allow: methods.join(', ') },
    });
  }
}

function actionOf(route: Route, method: string): RegistryAction {
  if (method === 'DELETE') return route.kind === 'upload' ? 'push' : 'delete';
  if (method === 'GET' || method === 'HEAD') return route.kind === 'upload' ? 'push' : 'pull';
  return 'push';
}
