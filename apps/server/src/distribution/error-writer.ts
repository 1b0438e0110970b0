import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError, errorBody, isRegistryError } from '@wharf/oci';
import { API_VERSION_HEADER } from './http-io';

export interface ErrorLog {
  error(message: string, trace?: string): void;
  debug?(message: string): void;
}

/** A client that hangs up mid-response is normal traffic (cancelled pulls), not a server error. */
function clientWentAway(res: ServerResponse, err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return res.destroyed || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'EPIPE' || code === 'ECONNRESET';
}

/**
 * The one place registry errors become HTTP: the code's status, its headers (challenges, Retry-After, Range)
 * and the spec's `{"errors":[...]}` body. Anything that is not a RegistryError is logged and answered as UNKNOWN/500.
 */
export function writeRegistryError(req: IncomingMessage, res: ServerResponse, err: unknown, log: ErrorLog): void {
  if (!isRegistryError(err) && clientWentAway(res, err)) {
    log.debug?.(`client went away during ${req.method} ${req.url}: ${(err as Error).message}`);
    res.destroy();
    return;
  }
  const error = isRegistryError(err) ? err : internalError(err, log);
  if (res.headersSent) {
    // The body was already flowing (e.g. a blob stream failed midway): the only honest signal left is a cut connection.
    res.destroy();
    return;
  }
  const body = Buffer.from(JSON.stringify(errorBody([error])));
  const headers: Record<string, string | number> = {
    ...API_VERSION_HEADER,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
    ...error.headers,
  };
  res.writeHead(error.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function internalError(err: unknown, log: ErrorLog): RegistryError {
  const e = err instanceof Error ? err : new Error(String(err));
  log.error(`registry request failed: ${e.message}`, e.stack);
  return new RegistryError('UNKNOWN', 'internal error; see the server log');
}
