import type { ValidationErrorJson } from '@wharf/api-types';

export type ApiErrorKind = 'network' | 'unauthorized' | 'forbidden' | 'not-found' | 'throttled' | 'validation' | 'server' | 'other';

/** Every failed call of the typed client: the HTTP status (0 = no answer), a readable message, and per-field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Per-field validation errors of a 400, `id` being the JSON path (`docker.httpPort`), or `*` for the whole object. */
    readonly fields: ValidationErrorJson[] = [],
    /** Seconds to wait, from `Retry-After`, on 429 and 503. */
    readonly retryAfter: number | null = null,
    /** Registry API error codes (`MANIFEST_UNKNOWN` ...) when the answer was a registry error envelope. */
    readonly codes: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get kind(): ApiErrorKind {
    if (this.status === 0) return 'network';
    if (this.status === 401) return 'unauthorized';
    if (this.status === 403) return 'forbidden';
    if (this.status === 404) return 'not-found';
    if (this.status === 429) return 'throttled';
    if (this.status === 400 || this.status === 422) return 'validation';
    if (this.status >= 500) return 'server';
    return 'other';
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Turns any REST or registry error body into an ApiError. */
export function errorFromBody(status: number, body: unknown, retryAfter: number | null, fallback: string): ApiError {
  if (Array.isArray(body)) {
    const fields = body.filter(isValidationError);
    if (fields.length > 0) return new ApiError(status, fields.map((f) => f.message).join('; '), fields, retryAfter);
  }
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if (Array.isArray(record.errors)) {
      const errors = record.errors.filter((e): e is { code?: unknown; message?: unknown } => !!e && typeof e === 'object');
      const codes = errors.map((e) => (typeof e.code === 'string' ? e.code : 'UNKNOWN'));
      const message = errors.map((e) => (typeof e.message === 'string' ? e.message : String(e.code))).join('; ');
      return new ApiError(status, message || fallback, [], retryAfter, codes);
    }
    const message = record.message;
    if (typeof message === 'string' && message) return new ApiError(status, message, [], retryAfter);
    if (Array.isArray(message) && message.length > 0) return new ApiError(status, message.map(String).join('; '), [], retryAfter);
  }
  if (typeof body === 'string' && body.trim() && body.length < 500) return new ApiError(status, body.trim(), [], retryAfter);
  return new ApiError(status, fallback, [], retryAfter);
}

function isValidationError(value: unknown): value is ValidationErrorJson {
  return !!value && typeof value === 'object' && typeof (value as ValidationErrorJson).id === 'string' && typeof (value as ValidationErrorJson).message === 'string';
}

/** A sentence for people, for any error a view could not handle more specifically. */
export function describeError(err: unknown): string {
  if (!isApiError(err)) return err instanceof Error ? err.message : String(err);
  switch (err.kind) {
    case 'network':
      return 'The Wharf server did not answer. Check that it is running and reachable, then retry.';
    case 'unauthorized':
      return 'The server did not accept your credentials. Sign in again.';
    case 'forbidden':
      return `Not allowed: ${err.message}`;
    case 'throttled':
      return err.retryAfter !== null ? `Too many requests; try again in ${err.retryAfter} s.` : 'Too many requests; try again shortly.';
    case 'not-found':
    case 'validation':
    case 'server':
    case 'other':
      return err.message;
  }
}
