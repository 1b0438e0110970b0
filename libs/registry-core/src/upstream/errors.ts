import { isErrorOf } from '@wharf/oci';

/**
 * The one error type the upstream client throws for anything the remote registry (or the
 * path to it) does wrong. The proxy decides what to do with each kind: serve a cached copy
 * when the upstream is unreachable, slow or rate-limiting, report 'auth' as a configuration
 * problem, and refuse content that is 'invalid'.
 *
 * Messages name the registry (origin and path, never a query string) and never carry a
 * password, a token or an Authorization header.
 */
export type UpstreamErrorKind = 'unreachable' | 'timeout' | 'status' | 'auth' | 'invalid';

export interface UpstreamErrorOptions {
  /** HTTP status of the upstream response, when there was one. */
  status?: number;
  /** Retry-After header of a 429 (or 503) answer, verbatim. */
  retryAfter?: string;
  /** Underlying error (socket error code etc.); never holds credentials. */
  cause?: unknown;
}

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  readonly status?: number;
  readonly retryAfter?: string;

  constructor(kind: UpstreamErrorKind, message: string, opts: UpstreamErrorOptions = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'UpstreamError';
    this.kind = kind;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfter !== undefined) this.retryAfter = opts.retryAfter;
  }
}

export function isUpstreamError(e: unknown): e is UpstreamError {
  return isErrorOf(e, UpstreamError, (c) => typeof c.kind === 'string' && ['unreachable', 'timeout', 'status', 'auth', 'invalid'].includes(c.kind));
}
