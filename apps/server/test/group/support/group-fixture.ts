import { expect } from 'vitest';
import type { HttpClient, HttpResult } from '../../support/http';
import { freePort } from '../../support/ports';
import { Registry, nextLink } from '../../support/registry';
import { REPOSITORIES, createHosted, type HostedOptions } from '../../support/rest';
import type { TestWharf } from '../../support/wharf';
import { createProxy, type ProxyOptions } from '../../proxy/support/proxy-fixture';

export interface GroupOptions {
  memberNames: string[];
  writableMember?: string | null;
  /** Connector port; `undefined`: a free port, `null`: none. */
  httpPort?: number | null;
  forceBasicAuth?: boolean;
  online?: boolean;
}

/** The body of POST/PUT /service/rest/v1/repositories/docker/group, as in the contract. */
export function groupBody(name: string, o: GroupOptions & { httpPort: number | null }): Record<string, unknown> {
  return {
    name,
    online: o.online ?? true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true },
    group: { memberNames: o.memberNames, writableMember: o.writableMember ?? null },
    docker: { v1Enabled: false, forceBasicAuth: o.forceBasicAuth ?? true, httpPort: o.httpPort },
  };
}

export function createGroupRaw(http: HttpClient, body: unknown): Promise<HttpResult> {
  return http.sendJson('POST', `${REPOSITORIES}/docker/group`, body);
}

export function updateGroupRaw(http: HttpClient, name: string, body: unknown): Promise<HttpResult> {
  return http.sendJson('PUT', `${REPOSITORIES}/docker/group/${name}`, body);
}

export function getGroup(http: HttpClient, name: string): Promise<HttpResult> {
  return http.get(`${REPOSITORIES}/docker/group/${name}`);
}

/** A group seen through its connector port (API at the root) and through the main port. */
export interface GroupFixture {
  name: string;
  httpPort: number | null;
  /** Connector port with the admin's credentials (the prefixed main-port form when there is no connector). */
  connector: Registry;
  /** Main port, `/repository/<group>/v2/<image>`, with the admin's credentials. */
  prefixed: Registry;
  /** The connector (or prefixed form) without credentials. */
  anonymous: Registry;
  /** The body the group was created with (for PUT). */
  body: Record<string, unknown>;
}

/** Creates a group through the REST API (asserting 201). */
export async function createGroup(wharf: TestWharf, name: string, o: GroupOptions): Promise<GroupFixture> {
  const httpPort = o.httpPort !== undefined ? o.httpPort : await freePort();
  const body = groupBody(name, { ...o, httpPort });
  const res = await createGroupRaw(wharf.http, body);
  expect(res.status, res.text()).toBe(201);
  const prefixed = new Registry(wharf.http, `/repository/${name}`);
  const connector = httpPort === null ? prefixed : new Registry(wharf.on(httpPort));
  return {
    name,
    httpPort,
    connector,
    prefixed,
    anonymous: new Registry(connector.http.as(null), connector.root),
    body,
  };
}

/** A hosted repository with a connector, seen through it (admin credentials). */
export async function createHostedOn(wharf: TestWharf, name: string, options: HostedOptions = {}): Promise<{ name: string; port: number; registry: Registry }> {
  const port = await freePort();
  await createHosted(wharf.http, name, { ...options, httpPort: port });
  return { name, port, registry: new Registry(wharf.on(port)) };
}

/** A proxy repository (no connector unless asked), seen through the main port as `/repository/<proxy>/v2/...`. */
export async function createProxyRepo(wharf: TestWharf, name: string, o: ProxyOptions): Promise<Registry> {
  await createProxy(wharf, name, { httpPort: null, ...o });
  return new Registry(wharf.http, `/repository/${name}`);
}

/** Turns the anonymous-access switch on or off (asserts 200). */
export async function setAnonymous(wharf: TestWharf, enabled: boolean): Promise<void> {
  const res = await wharf.http.sendJson('PUT', '/service/rest/v1/security/anonymous', {
    enabled,
    userId: 'anonymous',
    realmName: 'NexusAuthorizingRealm',
  });
  expect(res.status, res.text()).toBe(200);
}

/**
 * Follows `Link: rel="next"` from `first` to the end; returns every page's items and the links seen.
 * `fetchPage` gets the path or URL of the Link.
 */
export async function walkPages(
  first: HttpResult,
  key: 'tags' | 'repositories',
  fetchPage: (link: string) => Promise<HttpResult>,
): Promise<{ pages: string[][]; links: string[] }> {
  const pages: string[][] = [];
  const links: string[] = [];
  let res = first;
  for (let i = 0; i < 100; i++) {
    expect(res.status, res.text()).toBe(200);
    pages.push(res.json<Record<string, string[]>>()[key] ?? []);
    const link = nextLink(res);
    if (!link) return { pages, links };
    links.push(link);
    res = await fetchPage(link);
  }
  throw new Error('more than 100 pages: the Link header never ends');
}

/** Sorted, deduplicated union (byte order, as the distribution spec's lexical order). */
export function sortedUnion(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
