import { type LookupAddress, type LookupOptions, lookup as dnsLookup } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { AddressList, normaliseHost as normalise } from '../address-list';
import { UpstreamError } from './errors';

/**
 * What `default` stands for: link-local ranges (where clouds put their instance metadata services, which
 * hand out credentials) and the metadata endpoints that live elsewhere. Loopback and private ranges stay
 * allowed: registries on the same host or in the company network are normal upstreams.
 */
export const DEFAULT_DENIED_UPSTREAMS = [
  '169.254.0.0/16', // IPv4 link-local, 169.254.169.254 (AWS, GCP, Azure, OpenStack...)
  'fe80::/10', // IPv6 link-local
  'fd00:ec2::254', // AWS metadata over IPv6
  '100.100.100.200', // Alibaba Cloud metadata
  '192.0.0.192', // Oracle Cloud metadata
  '0.0.0.0/8', // "this host": reaches local services
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
];

/**
 * Which upstream addresses a proxy may connect to. Checked twice: when a remote URL is configured (its
 * host, as written) and when a connection is made (every address a name resolves to, and every redirect
 * hop), so neither a DNS name nor a redirect can lead a proxy to a denied address.
 */
export class UpstreamAddressPolicy {
  private readonly addresses = new AddressList();
  private readonly names = new Set<string>();

  /**
   * `spec` is a comma-separated list of CIDR ranges, addresses and host names; `default` stands for
   * DEFAULT_DENIED_UPSTREAMS; `none` (or empty) denies nothing. Throws on an entry it cannot read.
   */
  constructor(spec = 'default') {
    for (const raw of spec.split(',')) {
      const entry = raw.trim().toLowerCase();
      if (entry === '' || entry === 'none') continue;
      if (entry === 'default') {
        for (const d of DEFAULT_DENIED_UPSTREAMS) this.add(d);
      } else {
        this.add(entry);
      }
    }
  }

  /** Why connecting to this host (a name or an address, as in a URL) is refused; null when it is allowed. */
  deniedHost(host: string): string | null {
    const bare = normalise(host);
    if (this.names.has(bare) || this.deniedAddress(bare)) return `${bare} is on the upstream deny list (by default: link-local and cloud metadata addresses)`;
    return null;
  }

  /** Throws the refusal (UpstreamError 'unreachable') when this host is denied (a connection made outside the agents). */
  assertAllowed(host: string): void {
    const reason = this.deniedHost(host);
    if (reason) throw this.refusal(host, reason);
  }

  /** Why this URL's host is refused as an upstream, null when allowed. */
  deniedUrl(url: URL): string | null {
    return this.deniedHost(url.hostname);
  }

  private deniedAddress(address: string): boolean {
    return this.addresses.has(address);
  }

  /** dns.lookup that fails when a name resolves to a denied address (given to the HTTP agents). */
  readonly lookup: LookupFunction = (hostname: string, options: LookupOptions, callback): void => {
    const named = this.deniedHost(hostname);
    if (named) return callback(this.refusal(hostname, named), '');
    dnsLookup(hostname, options, (err, address: string | LookupAddress[], family?: number) => {
      if (err) return callback(err, address, family);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const denied = addresses.find((a) => this.deniedAddress(a));
      if (denied !== undefined) return callback(this.refusal(hostname, `it resolves to ${denied}, which is on the upstream deny list`), '');
      callback(null, address, family);
    });
  };

  /** HTTP and HTTPS agents that connect only to allowed addresses. */
  agents(options: http.AgentOptions, tls: https.AgentOptions): { httpAgent: http.Agent; httpsAgent: https.Agent } {
    const guard = (agentOptions: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): boolean => {
      // A literal address in the URL is never looked up: check it here.
      const host = agentOptions.host ?? agentOptions.hostname ?? '';
      const reason = this.deniedHost(host);
      if (!reason) return true;
      const err = this.refusal(host, reason);
      process.nextTick(() => (callback as (e: Error | null) => void | undefined)?.(err));
      return false;
    };
    class GuardedHttpAgent extends http.Agent {
      override createConnection(o: http.ClientRequestArgs, cb?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
        return guard(o, cb) ? super.createConnection(o, cb) : undefined;
      }
    }
    class GuardedHttpsAgent extends https.Agent {
      override createConnection(o: http.ClientRequestArgs, cb?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
        return guard(o, cb) ? super.createConnection(o, cb) : undefined;
      }
    }
    return {
      httpAgent: new GuardedHttpAgent({ ...options, lookup: this.lookup }),
      httpsAgent: new GuardedHttpsAgent({ ...options, ...tls, lookup: this.lookup }),
    };
  }

  private refusal(host: string, reason: string): UpstreamError {
    return new UpstreamError('unreachable', `upstream host ${normalise(host)} is refused: ${reason} (WHARF_UPSTREAM_DENY)`);
  }

  private add(entry: string): void {
    if (entry.includes('/') || /^[\d.]+$|:/.test(entry)) return this.addresses.add(entry);
    if (!/^[a-z0-9.-]+$/.test(entry)) throw new TypeError(`"${entry}" is neither an address, a CIDR range nor a host name`);
    this.names.add(normalise(entry));
  }
}
