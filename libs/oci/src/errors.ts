/**
 * The one table of registry error codes (OCI distribution spec, "Error Codes") and the
 * error class every layer throws. The HTTP layer maps a RegistryError to the wire in one
 * place; nothing else decides statuses.
 */

export type ErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'RANGE_INVALID'
  | 'TAG_INVALID'
  | 'UNAVAILABLE'
  | 'UNKNOWN';

// Messages are the spec's short descriptions; RANGE_INVALID, TAG_INVALID, UNAVAILABLE and
// UNKNOWN are not in the OCI table, so they use Distribution's wording.
export const ERROR_CODES: Record<ErrorCode, { status: number; message: string }> = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 404, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  RANGE_INVALID: { status: 416, message: 'invalid content range' },
  TAG_INVALID: { status: 400, message: 'invalid tag' },
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
  UNKNOWN: { status: 500, message: 'unknown error' },
};

export interface RegistryErrorOptions {
  /** Overrides the table status, e.g. 413 for an oversize manifest. */
  status?: number;
  /** Extra response headers, e.g. Retry-After on 429, Range on 416 upload errors. */
  headers?: Record<string, string>;
}

export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, detail?: unknown, options?: RegistryErrorOptions) {
    const entry = ERROR_CODES[code];
    super(message ?? entry.message);
    this.name = 'RegistryError';
    this.code = code;
    this.status = options?.status ?? entry.status;
    this.detail = detail;
    this.headers = { ...(options?.headers ?? {}) };
  }
}

/**
 * Whether `e` is an error of class `type`. instanceof alone is not enough: tests load a library from src
 * while the server may load its compiled dist, giving two copies of the class; an object with the class's
 * name whose fields pass `fields` is one too.
 */
export function isErrorOf<T extends Error>(e: unknown, type: abstract new (...args: never[]) => T, fields: (candidate: Partial<T>) => boolean): e is T {
  if (e instanceof type) return true;
  if (typeof e !== 'object' || e === null) return false;
  const candidate = e as Partial<T>;
  return candidate.name === type.name && fields(candidate);
}

export function isRegistryError(e: unknown): e is RegistryError {
  return isErrorOf(
    e,
    RegistryError,
    (c) => typeof c.code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, c.code) && typeof c.status === 'number',
  );
}

/** The wire body: {"errors":[{"code","message","detail"}]}. */
export function errorBody(errors: RegistryError[]): { errors: { code: string; message: string; detail: unknown }[] } {
  return { errors: errors.map((e) => ({ code: e.code, message: e.message, detail: e.detail })) };
}
