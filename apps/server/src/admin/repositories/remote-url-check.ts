import { lookup } from 'node:dns/promises';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { UpstreamAddressPolicy } from '@wharf/registry-core';

export interface RemoteUrlContext {
  policy: UpstreamAddressPolicy;
  /** Every port Wharf listens on: the main port and the connectors (including the one being configured). */
  ownPorts: Set<number>;
  /** WHARF_BASE_URL, when Wharf is reached through a reverse proxy. */
  baseUrl?: string;
}

/** How long a name in a remote URL may take to resolve before the self-check gives up on it (it is best effort). */
const LOOKUP_TIMEOUT_MS = 2_000;

/**
 * Why a proxy may not use this remote URL, or null. Credentials belong in httpClient.authentication
 * (encrypted, never returned), not in the URL, which is stored and shown as is; link-local and metadata
 * addresses are denied (UpstreamAddressPolicy); and a proxy of Wharf itself would ask itself forever.
 */
export async function remoteUrlProblem(remoteUrl: string, context: RemoteUrlContext): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(remoteUrl);
  } catch {
    return 'proxy.remoteUrl must be an http(s) URL';
  }
  if (url.username !== '' || url.password !== '') {
    return 'proxy.remoteUrl must not contain a user name or password: put them in httpClient.authentication, where the password is stored encrypted and never returned';
  }
  const denied = context.policy.deniedUrl(url);
  if (denied) return `proxy.remoteUrl is refused: ${denied}; see WHARF_UPSTREAM_DENY`;
  if (await isWharfItself(url, context)) return `proxy.remoteUrl ${url.origin} is Wharf itself: a proxy of its own ports would ask itself forever`;
  return null;
}

async function isWharfItself(url: URL, context: RemoteUrlContext): Promise<boolean> {
  if (context.baseUrl !== undefined && new URL(context.baseUrl).host === url.host) return true;
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  if (!context.ownPorts.has(port)) return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === hostname().toLowerCase()) return true;
  const addresses = isIP(host) ? [host] : await resolve(host);
  const local = localAddresses();
  return addresses.some((a) => local.has(a) || isLoopbackOrAny(a));
}

async function resolve(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((done) => (timer = setTimeout(() => done([]), LOOKUP_TIMEOUT_MS)));
  try {
    return await Promise.race([lookup(host, { all: true }).then((all) => all.map((a) => a.address), () => []), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function localAddresses(): Set<string> {
  const all = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) all.add(a.address.toLowerCase());
  return all;
}

function isLoopbackOrAny(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return a.startsWith('127.') || a === '::1' || a === '0.0.0.0' || a === '::';
}
