/**
 * Client for a remote Docker Registry HTTP API v2 / OCI distribution registry (Docker Hub,
 * quay.io, ghcr.io, a private Distribution...), used by proxy repositories.
 *
 * - Auth: requests go out anonymously until the registry answers 401 with a challenge.
 *   Bearer: a token for `repository:<image>:pull` is fetched from the realm (anonymously or
 *   with Basic credentials), cached per scope and sent pre-emptively from then on.
 *   Basic: the configured credentials are sent, pre-emptively from then on.
 * - Redirects (blob downloads to object storage) are followed here, at most 5 hops; the
 *   Authorization header is dropped as soon as a hop leaves the starting origin.
 * - Bodies: manifests are read whole (bounded, digest-verified); blobs are returned as a
 *   stream with backpressure.
 * - Docker Hub's rate-limit headers are recorded from every response.
 *
 * Names and references are validated (NAME_INVALID / TAG_INVALID / DIGEST_INVALID
 * RegistryError), never rewritten: the proxy adds `library/` for Docker Hub itself.
 */
import http from 'node:http';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import { nativeIoAvailable } from '@wharf/native-io';
import {
  MediaType,
  MAX_MANIFEST_BYTES,
  digestOf,
  formatScope,
  isManifestMediaType,
  mediaTypeEssence,
  parseDigest,
  parseReference,
  validateName,
} from '@wharf/oci';
import { type Challenge, parseChallenges, pickChallenge } from './challenge';
import { UpstreamError } from './errors';
import { parseRateLimit } from './rate-limit';
import { NativeClient } from './native-exchange';
import { TokenCache, type FetchedToken } from './token-cache';
import { nativeTrust, trustedCertificates } from './trust';
import { type Exchange, type HttpMethod, type TransportSettings, describeUrl, parseContentLength, sendHop } from './transport';
import type {
  RateLimitInfo,
  RegistryClientOptions,
  UpstreamBlob,
  UpstreamCredentials,
  UpstreamManifest,
  UpstreamManifestHead,
  UpstreamRequestKind,
} from './types';

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_USER_AGENT = 'wharf/0.1';
export const MAX_REDIRECTS = 5;
/** Token responses are a few KiB; JWTs with many claims stay far below this. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Sent when the caller gives no Accept: every manifest format Wharf stores. */
const DEFAULT_MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
].join(', ');
/** Content types that say nothing about which manifest format a body is. */
const GENERIC_CONTENT_TYPES: ReadonlySet<string> = new Set(['', 'application/json', 'text/plain', 'application/octet-stream']);

interface BearerRealm {
  realm: string;
  service: string | undefined;
}

/** ping()'s GET /v2/ is not an UpstreamRequestKind: it is not reported to onRequest. */
type RequestKind = UpstreamRequestKind | 'ping';

type SentAuth = { scheme: 'bearer'; token: string } | { scheme: 'basic' } | null;

function isSuccess(status: number): boolean {
  return status === 200 || status === 203;
}

function basicHeader(c: UpstreamCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

/** A registry's JSON error body as "CODE: message" (bounded); other bodies are not echoed. */
function describeErrorBody(body: Buffer): string {
  if (body.length === 0) return '';
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = Array.isArray(parsed.errors) ? parsed.errors[0] : undefined;
    if (first === undefined) return '';
    const code = typeof first.code === 'string' ? first.code : '';
    const message = typeof first.message === 'string' ? first.message : '';
    // eslint-disable-next-line no-control-regex
    const text = [code, message].filter((s) => s !== '').join(': ').replace(/[\u0000-\u001f\u007f]/g, ' ');
    return text === '' ? '' : ` (${text.length > 200 ? `${text.slice(0, 200)}...` : text})`;
  } catch {
    return '';
  }
}

export class RegistryClient {
  /** Origin + path prefix, without userinfo or trailing slash: how messages name the registry. */
  readonly remote: string;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly credentials: UpstreamCredentials | null;
  private readonly userAgent: string;
  private readonly onRequest: RegistryClientOptions['onRequest'];
  private readonly settings: TransportSettings;
  private readonly tokens = new TokenCache();
  /** Learnt from the last Bearer challenge; tokens are then fetched before the request. */
  private bearer: BearerRealm | null = null;
  /** The registry asked for Basic: credentials are then sent pre-emptively. */
  private basicRequired = false;
  private lastRateLimit: RateLimitInfo | undefined;

  constructor(options: RegistryClientOptions) {
    let url: URL;
    try {
      url = new URL(options.remoteUrl);
    } catch {
      throw new TypeError(`remote URL is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`remote URL must be http or https, got ${url.protocol}`);
    }
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.remote = `${this.origin}${this.prefix}`;
    this.credentials = options.credentials ?? null;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.onRequest = options.onRequest;
    const tls = options.tls ?? {};
    const agentOptions = { keepAlive: true, scheduling: 'lifo' as const };
    // Node's client and the native one trust the same certificates (trust.ts); the context is built once.
    const trusted = trustedCertificates(tls.ca);
    const verify = tls.rejectUnauthorized !== false;
    const tlsOptions = { secureContext: createSecureContext({ ca: trusted }), ...(verify ? {} : { rejectUnauthorized: false }) };
    this.settings = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      ...(options.addressPolicy
        ? options.addressPolicy.agents(agentOptions, tlsOptions)
        : { httpAgent: new http.Agent(agentOptions), httpsAgent: new https.Agent({ ...agentOptions, ...tlsOptions }) }),
      ...(nativeIoAvailable() && options.nativeBodies !== false ? { native: new NativeClient(() => nativeTrust(trusted, verify)) } : {}),
      ...(options.addressPolicy ? { addressPolicy: options.addressPolicy } : {}),
    };
  }

  /** Docker Hub pull-limit figures from the last upstream response that carried them. */
  get rateLimit(): RateLimitInfo | undefined {
    return this.lastRateLimit;
  }

  /** Closes idle keep-alive connections (in-flight streams are not touched). */
  close(): void {
    this.settings.httpAgent.destroy();
    this.settings.httpsAgent.destroy();
    this.settings.native?.close();
  }

  async headManifest(image: string, reference: string, accept: string): Promise<UpstreamManifestHead | null> {
    validateName(image);
    const ref = parseReference(reference);
    const ex = await this.manifestRequest('manifest-head', image, reference, accept);
    if (ex === null) return null;
    await ex.discard();
    const where = describeUrl(ex.url);
    let digest = this.digestHeader(ex);
    if (digest === undefined) {
      // A digest reference names its digest already; a tag needs the header.
      if (ref.kind !== 'digest') {
        throw new UpstreamError('invalid', `upstream ${where} sent no Docker-Content-Digest header`);
      }
      digest = ref.digest;
    }
    if (ref.kind === 'digest' && digest !== ref.digest) {
      throw new UpstreamError('invalid', `upstream ${where} answered with digest ${digest} for ${ref.digest}`);
    }
    const contentType = mediaTypeEssence(ex.header('content-type') ?? '');
    if (contentType === '') throw new UpstreamError('invalid', `upstream ${where} sent no Content-Type`);
    const size = parseContentLength(ex.headers, ex.url);
    if (size === null) throw new UpstreamError('invalid', `upstream ${where} sent no Content-Length`);
    return { digest, mediaType: contentType, size };
  }

  async getManifest(image: string, reference: string, accept: string): Promise<UpstreamManifest | null> {
    validateName(image);
    const ref = parseReference(reference);
    const ex = await this.manifestRequest('manifest-get', image, reference, accept);
    if (ex === null) return null;
    const where = describeUrl(ex.url);
    let headerDigest: string | undefined;
    try {
      headerDigest = this.digestHeader(ex);
    } catch (e) {
      ex.destroy();
      throw e;
    }
    const bytes = await ex.readBody(MAX_MANIFEST_BYTES, 'manifest');

    if (headerDigest !== undefined) {
      const computed = digestOf(bytes, parseDigest(headerDigest).algorithm);
      if (computed !== headerDigest) {
        throw new UpstreamError('invalid', `upstream ${where}: manifest bytes hash to ${computed}, Docker-Content-Digest says ${headerDigest}`);
      }
    }
    if (ref.kind === 'digest') {
      const computed = digestOf(bytes, parseDigest(ref.digest).algorithm);
      if (computed !== ref.digest) {
        throw new UpstreamError('invalid', `upstream ${where}: manifest bytes hash to ${computed}, not to the requested ${ref.digest}`);
      }
    }
    const digest = ref.kind === 'digest' ? ref.digest : (headerDigest ?? digestOf(bytes, 'sha256'));
    const mediaType = this.manifestMediaType(ex.header('content-type'), bytes);
    if (mediaType === undefined) {
      throw new UpstreamError('invalid', `upstream ${where}: cannot tell the manifest's media type (no Content-Type, no mediaType)`);
    }
    return { digest, mediaType, bytes };
  }

  async getBlob(image: string, digest: string): Promise<UpstreamBlob | null> {
    validateName(image);
    parseDigest(digest);
    const ex = await this.found(await this.request('blob-get', 'GET', `/v2/${image}/blobs/${digest}`, image, {}));
    if (ex === null) return null;
    let size: number | null;
    try {
      size = parseContentLength(ex.headers, ex.url);
    } catch (e) {
      ex.destroy();
      throw e;
    }
    return { size, body: ex.body() };
  }

  /** HEAD or GET of a manifest (name and reference validated by the caller); null when the registry has none. */
  private async manifestRequest(kind: 'manifest-head' | 'manifest-get', image: string, reference: string, accept: string): Promise<Exchange | null> {
    const method = kind === 'manifest-head' ? 'HEAD' : 'GET';
    const ex = await this.request(kind, method, `/v2/${image}/manifests/${reference}`, image, {
      accept: accept.trim() === '' ? DEFAULT_MANIFEST_ACCEPT : accept,
    });
    return this.found(ex);
  }

  /** The exchange when it succeeded; null for a 404 (its body discarded); any other status throws its error. */
  private async found(ex: Exchange): Promise<Exchange | null> {
    if (ex.status === 404) {
      await ex.discard();
      return null;
    }
    if (!isSuccess(ex.status)) throw await this.statusError(ex);
    return ex;
  }

  /** GET /v2/ with the auth flow: resolves when the registry is reachable and accepts us. */
  async ping(): Promise<void> {
    const ex = await this.request('ping', 'GET', '/v2/', null, {});
    if (!isSuccess(ex.status)) throw await this.statusError(ex);
    await ex.discard();
  }

  // --- request pipeline -----------------------------------------------------------------

  /**
   * One API request with the auth flow: pre-emptive credentials when the scheme is known;
   * on a 401 from the registry, answer its challenge and retry once.
   */
  private async request(
    kind: RequestKind,
    method: HttpMethod,
    path: string,
    image: string | null,
    extraHeaders: Record<string, string>,
  ): Promise<Exchange> {
    const url = new URL(`${this.origin}${this.prefix}${path}`);
    const scope = image === null ? undefined : formatScope({ type: 'repository', name: image, actions: ['pull'] });
    const headers = (auth: string | undefined): Record<string, string> => ({
      'user-agent': this.userAgent,
      ...extraHeaders,
      ...(auth !== undefined ? { authorization: auth } : {}),
    });

    let sent = await this.preemptiveAuth(scope);
    let ex = await this.follow(kind, method, url, headers(this.authHeader(sent)));
    if (ex.status !== 401 || ex.url.origin !== this.origin) return ex;

    const challenge = pickChallenge(parseChallenges(ex.headers['www-authenticate']));
    await ex.discard();
    sent = await this.answerChallenge(challenge, scope, sent);
    ex = await this.follow(kind, method, url, headers(this.authHeader(sent)));
    if (ex.status === 401 && ex.url.origin === this.origin) {
      await ex.discard();
      throw this.authError(401, sent, scope);
    }
    return ex;
  }

  private authHeader(sent: SentAuth): string | undefined {
    if (sent === null) return undefined;
    if (sent.scheme === 'bearer') return `Bearer ${sent.token}`;
    return this.credentials !== null ? basicHeader(this.credentials) : undefined;
  }

  private async preemptiveAuth(scope: string | undefined): Promise<SentAuth> {
    if (this.bearer !== null) return { scheme: 'bearer', token: await this.tokenFor(this.bearer, scope) };
    if (this.basicRequired && this.credentials !== null) return { scheme: 'basic' };
    return null;
  }

  private async answerChallenge(challenge: Challenge | null, scope: string | undefined, previous: SentAuth): Promise<SentAuth> {
    if (challenge === null) {
      throw new UpstreamError('auth', `upstream ${this.remote} requires authentication but offers no Bearer or Basic challenge`, {
        status: 401,
      });
    }
    if (challenge.scheme === 'basic') {
      this.basicRequired = true;
      this.bearer = null;
      if (this.credentials === null) {
        throw new UpstreamError('auth', `upstream ${this.remote} requires credentials (Basic) and none are configured`, {
          status: 401,
        });
      }
      if (previous?.scheme === 'basic') throw this.authError(401, previous, scope);
      return { scheme: 'basic' };
    }
    const realmText = challenge.params.realm;
    let realm: URL;
    try {
      if (realmText === undefined || realmText === '') throw new TypeError('no realm');
      realm = new URL(realmText, `${this.remote}/`); // absolute in practice; relative resolves against the registry
    } catch {
      throw new UpstreamError('invalid', `upstream ${this.remote} sent a Bearer challenge without a valid realm URL`);
    }
    if (realm.protocol !== 'http:' && realm.protocol !== 'https:') {
      throw new UpstreamError('invalid', `upstream ${this.remote} sent a Bearer realm that is not http(s)`);
    }
    this.bearer = { realm: realm.href, service: challenge.params.service };
    this.basicRequired = false;
    // Without an image (ping) ask for what the challenge names, if anything.
    const tokenScope = scope ?? challenge.params.scope;
    const stale = previous?.scheme === 'bearer' ? previous.token : undefined;
    return { scheme: 'bearer', token: await this.tokenFor(this.bearer, tokenScope, stale) };
  }

  private tokenFor(bearer: BearerRealm, scope: string | undefined, stale?: string): Promise<string> {
    const key = `${bearer.realm}\n${bearer.service ?? ''}\n${scope ?? ''}`;
    return this.tokens.get(key, () => this.fetchToken(bearer, scope), stale);
  }

  /** Docker token spec: GET realm?service=..&scope=.., anonymous or with Basic credentials. */
  private async fetchToken(bearer: BearerRealm, scope: string | undefined): Promise<FetchedToken> {
    const url = new URL(bearer.realm);
    if (bearer.service !== undefined) url.searchParams.set('service', bearer.service);
    if (scope !== undefined && scope !== '') url.searchParams.append('scope', scope);
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    if (this.credentials !== null) {
      if (url.protocol === 'http:' && this.origin.startsWith('https:')) {
        throw new UpstreamError(
          'auth',
          `upstream ${this.remote} names a plain-http token realm ${describeUrl(url)}; refusing to send credentials there`,
        );
      }
      headers.authorization = basicHeader(this.credentials);
    }
    const ex = await this.follow('token', 'GET', url, headers);
    const where = describeUrl(ex.url);
    if (ex.status === 401 || ex.status === 403) {
      await ex.discard();
      const who = this.credentials !== null ? `the credentials of user "${this.credentials.username}"` : 'an anonymous token request';
      throw new UpstreamError('auth', `token service ${where} of upstream ${this.remote} refused ${who} (${ex.status})`, {
        status: ex.status,
      });
    }
    if (!isSuccess(ex.status)) throw await this.statusError(ex, `token service of upstream ${this.remote}`);
    const body = await ex.readBody(MAX_TOKEN_RESPONSE_BYTES, 'token response');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new UpstreamError('invalid', `token service ${where} sent a response that is not JSON`);
    }
    const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const token = typeof o.token === 'string' && o.token !== '' ? o.token : o.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new UpstreamError('invalid', `token service ${where} sent no token`);
    }
    if (/[\r\n]/.test(token)) throw new UpstreamError('invalid', `token service ${where} sent a malformed token`);
    const expiresIn = typeof o.expires_in === 'number' && Number.isFinite(o.expires_in) && o.expires_in > 0 ? o.expires_in : 60;
    return { token, expiresInSeconds: expiresIn };
  }

  /**
   * Sends a request and follows redirects (at most MAX_REDIRECTS hops). Once a hop leaves the
   * starting origin the Authorization header is never sent again.
   */
  private async follow(kind: RequestKind, method: HttpMethod, url: URL, headers: Record<string, string>): Promise<Exchange> {
    const startOrigin = url.origin;
    let current = url;
    let currentMethod = method;
    let crossed = false;
    for (let hop = 0; ; hop++) {
      let hopHeaders = headers;
      if (crossed) {
        hopHeaders = { ...headers };
        delete hopHeaders.authorization;
      }
      let ex: Exchange;
      const started = performance.now();
      try {
        ex = await sendHop({ method: currentMethod, url: current, headers: hopHeaders, native: kind === 'blob-get' }, this.settings);
      } catch (e) {
        this.report(kind, 0, started);
        throw e;
      }
      this.report(kind, ex.status, started);
      const rate = parseRateLimit(ex.headers);
      if (rate !== undefined) this.lastRateLimit = rate;
      if (!REDIRECT_STATUSES.has(ex.status)) return ex;

      const location = ex.header('location');
      await ex.discard();
      const where = describeUrl(current);
      if (location === undefined || location.trim() === '') {
        throw new UpstreamError('invalid', `upstream ${where} answered ${ex.status} without a Location`, { status: ex.status });
      }
      if (hop >= MAX_REDIRECTS) {
        throw new UpstreamError('invalid', `upstream ${describeUrl(url)}: more than ${MAX_REDIRECTS} redirects`, {
          status: ex.status,
        });
      }
      let next: URL;
      try {
        next = new URL(location.trim(), current);
      } catch {
        throw new UpstreamError('invalid', `upstream ${where} redirected to an invalid URL`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new UpstreamError('invalid', `upstream ${where} redirected to a ${next.protocol} URL`);
      }
      // Node would turn userinfo in the URL into an Authorization header: never.
      next.username = '';
      next.password = '';
      next.hash = '';
      if (next.origin !== startOrigin) crossed = true;
      if (ex.status === 303 && currentMethod !== 'HEAD') currentMethod = 'GET';
      current = next;
    }
  }

  /** Reports one hop: its kind, status (0: no answer) and the seconds until its response head (or failure). */
  private report(kind: RequestKind, status: number, started: number): void {
    if (this.onRequest === undefined || kind === 'ping') return;
    try {
      this.onRequest(kind, status, (performance.now() - started) / 1000);
    } catch {
      // A metrics hook must not break a pull.
    }
  }

  // --- responses -------------------------------------------------------------------------

  private digestHeader(ex: Exchange): string | undefined {
    const raw = ex.header('docker-content-digest')?.trim();
    if (raw === undefined || raw === '') return undefined;
    try {
      parseDigest(raw);
    } catch {
      throw new UpstreamError('invalid', `upstream ${describeUrl(ex.url)} sent a malformed Docker-Content-Digest`);
    }
    return raw;
  }

  /** Content-Type when it names a format; else the body's mediaType; else a generic Content-Type. */
  private manifestMediaType(contentType: string | undefined, bytes: Buffer): string | undefined {
    const header = mediaTypeEssence(contentType ?? '');
    if (!GENERIC_CONTENT_TYPES.has(header)) return header;
    try {
      const body = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
      if (typeof body.mediaType === 'string' && isManifestMediaType(body.mediaType)) return body.mediaType;
    } catch {
      // not JSON: leave it to the caller's manifest validation
    }
    return header === '' ? undefined : header;
  }

  private async statusError(ex: Exchange, what = `upstream ${this.remote}`): Promise<UpstreamError> {
    const status = ex.status;
    const retryAfter = ex.header('retry-after')?.trim();
    const detail = describeErrorBody(await ex.readSnippet(4096)); // HEAD: empty, but frees the socket
    const opts = { status, ...(retryAfter !== undefined && retryAfter !== '' ? { retryAfter } : {}) };
    const request = `${ex.method} ${describeUrl(ex.url)}`;
    if (status === 429) {
      return new UpstreamError('status', `${what} is rate-limiting: 429 Too Many Requests to ${request}${detail}`, opts);
    }
    if ((status === 401 || status === 403) && ex.url.origin === this.origin) {
      return new UpstreamError('auth', `${what} denied ${request}: ${status}${detail}`, opts);
    }
    return new UpstreamError('status', `${what} answered ${status} to ${request}${detail}`, opts);
  }

  private authError(status: number, sent: SentAuth, scope: string | undefined): UpstreamError {
    const as =
      this.credentials !== null && sent !== null ? `as user "${this.credentials.username}"` : 'anonymously';
    const what = scope !== undefined ? ` for ${scope}` : '';
    return new UpstreamError(
      'auth',
      `upstream ${this.remote} refused access${what} ${as} (${status}); the repository may not exist or may need other credentials`,
      { status },
    );
  }
}
