/**
 * HTTP/1.1 on the wire for the native client (native-exchange.ts): the request head it sends, the response
 * head it gets back, and how that response's body is delimited (RFC 9112). Node's own client does this for
 * every other request; these rules follow it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { BodyFraming } from '@wharf/native-io';
import { UpstreamError } from './errors';
import { type HttpMethod, describeUrl, headerValue, parseContentLength } from './exchange';

export interface ResponseHead {
  status: number;
  /** Lower-case names; repeated headers joined with ", " (set-cookie kept as a list), as Node does. */
  headers: IncomingHttpHeaders;
  /** The server will close the connection after this response (HTTP/1.0, or `Connection: close`). */
  closes: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Headers Node keeps the first value of when repeated (the rest would be ambiguous).
const SINGLE = new Set(['content-type', 'content-length', 'location', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires', 'authorization', 'host']);

/** The request head: request line, Host, then the given headers (values must not contain CR, LF or NUL). */
export function requestHead(method: HttpMethod, url: URL, headers: Record<string, string>): Buffer {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name) || /[\r\n\0]/.test(value)) throw new TypeError(`invalid request header ${JSON.stringify(name)}`);
    lines.push(`${name}: ${value}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Parses a response head (status line and header fields, up to and including the empty line). */
export function parseResponseHead(head: Buffer, url: URL): ResponseHead {
  const invalid = (why: string) => new UpstreamError('invalid', `upstream ${describeUrl(url)} sent an invalid response head (${why})`);
  const lines = head.toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!status) throw invalid('status line');
  const headers: IncomingHttpHeaders = {};
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).toLowerCase() : '';
    // obs-fold (a line starting with white space) and names that are not tokens are refused, as by Node.
    if (!TOKEN.test(name)) throw invalid(`header line ${JSON.stringify(line.slice(0, 40))}`);
    const value = line.slice(colon + 1).trim();
    const previous = headers[name];
    if (name === 'set-cookie') headers[name] = [...((previous as string[] | undefined) ?? []), value];
    else if (previous === undefined) headers[name] = value;
    else if (!SINGLE.has(name)) headers[name] = `${previous as string}, ${value}`;
  }
  const connection = (headerValue(headers, 'connection') ?? '').toLowerCase().split(',').map((t) => t.trim());
  const closes = status[1] === '0' ? !connection.includes('keep-alive') : connection.includes('close');
  return { status: Number(status[2]), headers, closes };
}

/** How the body of a response to `method` is delimited; a Content-Length Node would refuse is UpstreamError('invalid'). */
export function bodyFraming(method: HttpMethod, status: number, headers: IncomingHttpHeaders, url: URL): BodyFraming {
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { kind: 'none' };
  const coding = headerValue(headers, 'transfer-encoding');
  if (coding !== undefined) {
    // Chunked must be the last coding; anything else runs until the connection closes.
    const last = coding.toLowerCase().split(',').at(-1)?.trim();
    return last === 'chunked' ? { kind: 'chunked' } : { kind: 'until-close' };
  }
  const all = headers['content-length'];
  const length = parseContentLength(headers, url);
  if (length === null) return { kind: 'until-close' };
  if (typeof all === 'string' && all.includes(',')) throw new UpstreamError('invalid', `upstream ${describeUrl(url)} sent conflicting Content-Lengths`);
  return { kind: 'length', length };
}
