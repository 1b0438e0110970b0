import type { UpstreamAddressPolicy } from './address-policy';
import type { Readable } from 'node:stream';
import type { SocketBody } from '@wharf/blobstore';

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
   * The body, with backpressure: the upstream socket is read only as fast as this stream is.
   * The caller must consume it or destroy it; destroying it closes the upstream connection.
   * It errors with an UpstreamError ('timeout', 'unreachable', 'invalid' for a short body).
   */
  readonly stream: Readable;
  /**
   * The same body as a SocketBody when the answer allows it (plain HTTP, a Content-Length, no coding): a blob
   * store may then receive it off the JavaScript thread. Use it or `stream`, not both.
   */
  readonly body?: SocketBody;
}
