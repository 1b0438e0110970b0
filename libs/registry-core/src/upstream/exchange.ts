/**
 * One HTTP exchange with an upstream host, as the RegistryClient sees it: status, headers, and four ways to
 * take the body (a bounded buffer, a diagnostic snippet, a stream with backpressure, or an IncomingBody a
 * blob store can receive off the JavaScript thread), whichever transport carried it (transport.ts).
 */
import type http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type https from 'node:https';
import type { Readable } from 'node:stream';
import type { IncomingBody } from '@wharf/native-io';
import type { UpstreamAddressPolicy } from './address-policy';
import { UpstreamError, isUpstreamError } from './errors';

export type HttpMethod = 'GET' | 'HEAD';

export interface HopRequest {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  /** A blob GET: sent through the native client when there is one. */
  native?: boolean;
}

export interface TransportSettings {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** The native addon's HTTP client (its connections and trust), when the addon is here. */
  native?: NativeTransport;
  addressPolicy?: UpstreamAddressPolicy;
}

/** origin + path, never the query (signed object-storage URLs carry credentials there) nor userinfo. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Content-Length as a safe non-negative integer, null when absent; 'invalid' when malformed. */
export function parseContentLength(headers: IncomingHttpHeaders, url: URL): number | null {
  const raw = headerValue(headers, 'content-length');
  if (raw === undefined) return null;
  const text = raw.trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new UpstreamError('invalid', `upstream ${describeUrl(url)} sent a malformed Content-Length`);
  }
  return n;
}

export const RETRYABLE_ON_REUSED_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

export function toUpstreamError(e: unknown, url: URL, phase = 'request'): UpstreamError {
  if (isUpstreamError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (code === 'ETIMEDOUT') {
    return new UpstreamError('timeout', `${phase} to upstream ${url.origin} timed out (${code})`, { cause: e });
  }
  const what = code ?? (err instanceof Error ? err.message : String(e));
  const tls = code !== undefined && TLS_CODE.test(code) ? 'TLS error ' : '';
  return new UpstreamError('unreachable', `cannot reach upstream ${url.origin}: ${tls}${what}`, { cause: e });
}

/** A response head whose body has not been taken yet. Take the body exactly once, one way or the other. */
export interface Exchange {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  header(name: string): string | undefined;
  /** Closes the connection (it is not reused). */
  destroy(): void;
  /** The whole body, at most `limit` bytes; more, or a short body, is UpstreamError('invalid'). */
  readBody(limit: number, what: string): Promise<Buffer>;
  /** Up to `limit` bytes for an error message; never rejects; longer bodies close the connection. */
  readSnippet(limit?: number): Promise<Buffer>;
  /** Throws the body away: a small one is drained so the connection can be reused (await it for that). */
  discard(): Promise<void>;
  /** The body as a stream with backpressure; destroying it closes the upstream connection. */
  stream(): Readable;
  /** The body as an IncomingBody (which the native transport can receive into a file itself). */
  body(): IncomingBody;
}

/** The native addon's HTTP client as the transport uses it (native-exchange.ts). */
export interface NativeTransport {
  send(hop: HopRequest, settings: TransportSettings): Promise<Exchange>;
  /** Closes its idle connections. */
  close(): void;
}
