import type { IncomingBody } from '@wharf/native-io';
import type { UpstreamAddressPolicy } from './address-policy';

export interface UpstreamCredentials {
  username: string;
  password: string;
}

/**
 * Docker Hub's pull-limit figures, from `ratelimit-limit: 100;w=21600`,
 * `ratelimit-remaining: 76;w=21600` and `docker-ratelimit-source`.
 */
export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  /** The window in seconds ("w=21600"), when given. */
  windowSeconds?: number;
  source?: string;
  observedAt: Date;
}

/** What an upstream HTTP request was for; every redirect hop is reported once as its kind. */
export type UpstreamRequestKind = 'manifest-head' | 'manifest-get' | 'blob-get' | 'token';

export interface UpstreamTlsOptions {
  /** Extra trusted CA certificate(s) (PEM), for a private registry with its own CA. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** false accepts any certificate. Only for tests and labs; default true. */
  rejectUnauthorized?: boolean;
}

export interface RegistryClientOptions {
  /** e.g. https://registry-1.docker.io or http://127.0.0.1:5000; may have a path prefix. */
  remoteUrl: string;
  credentials?: UpstreamCredentials | null;
  /** DNS + TCP (+ TLS) connect; default 15 s. */
  connectTimeoutMs?: number;
  /** No byte from the upstream for this long while waiting for one -> timeout; default 60 s. */
  idleTimeoutMs?: number;
  /** Default 'wharf/0.1'. */
  userAgent?: string;
  /**
   * Called once per HTTP response received from upstream (token fetches and each redirect hop
   * included), with its status and the seconds until its response head; status 0 when the request failed without a response
   * (connection refused, timeout...). ping()'s own GET /v2/ is not reported (it is not one of
   * the kinds); the token fetches it causes are.
   */
  onRequest?: (kind: UpstreamRequestKind, status: number, seconds: number) => void;
  /** TLS settings for https remotes (and https token realms / redirect targets). */
  tls?: UpstreamTlsOptions;
  /**
   * false: blob bodies go through Node's client too, instead of the native addon's (the default when the
   * addon is here: HTTP and HTTPS bodies received off the JavaScript thread). For tests of that path.
   */
  nativeBodies?: boolean;
  /** Addresses never to connect to (every hop, token realms included); none denied when absent. */
  addressPolicy?: UpstreamAddressPolicy;
}

export interface UpstreamManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface UpstreamManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface UpstreamBlob {
  /** Content-Length of the upstream answer, null when it was not given (chunked). */
  size: number | null;
  /**
   * The body, taken once. `stream()` reads it with backpressure (the upstream socket is read only as fast as
   * the stream is; destroying it closes the upstream connection); it errors with an UpstreamError ('timeout',
   * 'unreachable', 'invalid' for a short body). `receive` (when present) writes it into a file off the
   * JavaScript thread, hashing it, and fails with an UpstreamError the same way.
   */
  readonly body: IncomingBody;
}
