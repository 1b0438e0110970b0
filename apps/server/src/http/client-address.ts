import type { IncomingMessage, RequestListener } from 'node:http';
import { AddressList, canonicalAddress } from '@wharf/registry-core';

/** Which header trusted proxies append the client's address to. */
export type ForwardedHeader = 'x-forwarded-for' | 'forwarded';

/**
 * The address of the client behind a request, for throttling, the audit log and the access log.
 *
 * The socket's peer, unless that peer is a trusted proxy (WHARF_TRUSTED_PROXIES): then the forwarding
 * header (WHARF_FORWARDED_HEADER, X-Forwarded-For by default) is read from the right, each trusted
 * proxy's entry naming the hop before it, and the first address that is not a trusted proxy is the
 * client. Everything left of it was written by that client and is ignored; so is the header of a peer
 * that is not trusted (anyone can send one), and the header a proxy does not use (it would pass a
 * client's copy through untouched). An entry that is not an address (`unknown`, an obfuscated
 * `_hidden`) stops the walk at the proxy that wrote it.
 */
export class ClientAddresses {
  constructor(
    private readonly trusted: AddressList = new AddressList(),
    private readonly header: ForwardedHeader = 'x-forwarded-for',
  ) {}

  of(req: IncomingMessage): string {
    const peer = req.socket?.remoteAddress;
    let client = peer === undefined ? null : canonicalAddress(peer);
    if (client === null) return peer ?? 'unknown';
    if (!this.trusted.has(client)) return client;
    const value = req.headers[this.header];
    const hops = value === undefined ? [] : this.header === 'forwarded' ? forwardedFor(String(value)) : String(value).split(',');
    for (let i = hops.length - 1; i >= 0 && this.trusted.has(client); i--) {
      const hop = hopAddress(hops[i]!);
      if (hop === null) break;
      client = hop;
    }
    return client;
  }

  /** Wraps a port's listener so that every request carries its client address (read by clientAddress()). */
  stamp(listener: RequestListener): RequestListener {
    return (req, res) => {
      (req as Stamped)[CLIENT] = this.of(req);
      listener(req, res);
    };
  }
}

const CLIENT = Symbol('wharf.client-address');
type Stamped = IncomingMessage & { [CLIENT]?: string };

/** The client address of a request as its port's ClientAddresses found it (the socket's peer on an unwrapped listener). */
export function clientAddress(req: IncomingMessage): string {
  const stamped = (req as Stamped)[CLIENT];
  if (stamped !== undefined) return stamped;
  const peer = req.socket?.remoteAddress;
  return (peer === undefined ? null : canonicalAddress(peer)) ?? peer ?? 'unknown';
}

/** One X-Forwarded-For entry or Forwarded `for=` value: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`, `2001:db8::1`. */
function hopAddress(hop: string): string | null {
  const text = hop.trim().replace(/^"(.*)"$/, '$1');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) return canonicalAddress(bracketed[1]!);
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(text);
  return canonicalAddress(withPort ? withPort[1]! : text);
}

/** The `for=` values of a Forwarded header (RFC 7239), one per element, in order ('' for an element without one). */
function forwardedFor(value: string): string[] {
  const hops: string[] = [];
  // Elements are separated by commas and pairs by semicolons; quoted strings may hold either.
  for (const element of value.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
    let found = '';
    for (const pair of element.match(/(?:[^;"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
      const eq = pair.indexOf('=');
      if (eq > 0 && pair.slice(0, eq).trim().toLowerCase() === 'for') found = pair.slice(eq + 1).trim();
    }
    hops.push(found);
  }
  return hops;
}
