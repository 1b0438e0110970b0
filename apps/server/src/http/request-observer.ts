import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { clientAddress } from './client-address';
import { factsOf } from './request-facts';

/** One finished (or abandoned) request, as the access log and the metrics see it. */
export interface ObservedRequest {
  method: string;
  /** The path without its query string. */
  path: string;
  /** The query string with the values of secret-looking parameters replaced by `***` ('' when none). */
  query: string;
  route: string;
  status: number;
  /** Request body bytes: Content-Length, or what the connection received meanwhile for a chunked body. */
  bytesIn: number;
  /** Response body bytes: Content-Length (0 for HEAD, 1xx, 204, 304), or what the connection sent meanwhile. */
  bytesOut: number;
  seconds: number;
  /** false when the client went away before the response was complete. */
  completed: boolean;
  repository?: string;
  user?: string;
  remoteAddress?: string;
}

export type RequestSink = (request: ObservedRequest) => void;

const SECRET_PARAMETER = /pass|secret|token|key|signature|credential|auth/i;

/** Wraps a port's listener so that every request, once it ends, is reported to `sink` (access log, metrics). */
export function observeRequests(listener: RequestListener, sink: RequestSink): RequestListener {
  return (req, res) => {
    const started = performance.now();
    const socket = req.socket;
    const readAtStart = socket.bytesRead;
    const writtenAtStart = socket.bytesWritten;
    let reported = false;
    const report = (completed: boolean) => {
      if (reported) return;
      reported = true;
      try {
        sink(describe(req, res, completed, performance.now() - started, socket.bytesRead - readAtStart, socket.bytesWritten - writtenAtStart));
      } catch {
        // Observation must never break a request.
      }
    };
    res.once('finish', () => report(true));
    res.once('close', () => report(res.writableFinished));
    listener(req, res);
  };
}

function describe(req: IncomingMessage, res: ServerResponse, completed: boolean, ms: number, read: number, written: number): ObservedRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const facts = factsOf(req);
  const method = req.method ?? 'GET';
  const express = req as IncomingMessage & { route?: { path?: unknown }; params?: Record<string, unknown> };
  const route = facts.route ?? (typeof express.route?.path === 'string' ? express.route.path : 'none');
  const param = express.params?.name;
  const repository = facts.repository ?? (typeof param === 'string' ? param : undefined);
  return {
    method,
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : redactQuery(url.slice(q + 1)),
    route,
    status: res.statusCode,
    bytesIn: facts.bodyBytes ?? requestBytes(req, read),
    bytesOut: responseBytes(method, res, completed, written),
    seconds: ms / 1000,
    completed,
    ...(repository !== undefined ? { repository } : {}),
    ...(facts.user !== undefined ? { user: facts.user } : {}),
    remoteAddress: clientAddress(req),
  };
}

function requestBytes(req: IncomingMessage, read: number): number {
  const length = Number(req.headers['content-length']);
  if (Number.isFinite(length) && length >= 0) return length;
  return req.headers['transfer-encoding'] ? Math.max(0, read) : 0;
}

function responseBytes(method: string, res: ServerResponse, completed: boolean, written: number): number {
  if (method === 'HEAD' || res.statusCode < 200 || res.statusCode === 204 || res.statusCode === 304) return 0;
  // A blob sent with sendfile(2) never passes through the socket object, so its Content-Length is the count.
  const length = contentLength(res);
  if (completed && length !== undefined) return length;
  return Math.max(0, written);
}

/**
 * The response's Content-Length. Headers given to writeHead() (the registry's hot paths) are not in
 * getHeader()'s store; they are only in the header block Node wrote, so that is read when needed.
 */
function contentLength(res: ServerResponse): number | undefined {
  const set = res.getHeader('content-length');
  if (set !== undefined) return Number(set);
  const block = (res as ServerResponse & { _header?: unknown })._header;
  const match = typeof block === 'string' ? /\r\ncontent-length:[ \t]*(\d+)/i.exec(block) : null;
  return match ? Number(match[1]) : undefined;
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      return SECRET_PARAMETER.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=***` : pair;
    })
    .join('&');
}
