import type { IncomingMessage } from 'node:http';
import { AddressList } from '@wharf/registry-core';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { ClientAddresses, type ForwardedHeader, clientAddress } from '../../src/http/client-address';

function request(peer: string | undefined, headers: Record<string, string> = {}): IncomingMessage {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { socket: { remoteAddress: peer }, headers: lower } as unknown as IncomingMessage;
}

const PROXIES = '10.0.0.0/8, 192.0.2.1, fd00::/8';

describe('ClientAddresses: X-Forwarded-For', () => {
  const clients = new ClientAddresses(AddressList.parse(PROXIES));
  it.each<[string, string | undefined, Record<string, string>, string]>([
    ['no trusted proxy in between: the peer', '198.51.100.7', {}, '198.51.100.7'],
    ['an untrusted peer sending the header: ignored', '198.51.100.7', { 'X-Forwarded-For': '203.0.113.1' }, '198.51.100.7'],
    ['a trusted peer: the entry it appended', '10.1.1.1', { 'X-Forwarded-For': '203.0.113.1' }, '203.0.113.1'],
    ['a trusted peer without the header: the peer', '10.1.1.1', {}, '10.1.1.1'],
    ['the client prepends made-up entries: ignored', '10.1.1.1', { 'X-Forwarded-For': '1.1.1.1, 2.2.2.2, 203.0.113.1' }, '203.0.113.1'],
    ['two trusted proxies: the first untrusted from the right', '10.1.1.1', { 'X-Forwarded-For': '1.1.1.1, 203.0.113.1, 192.0.2.1' }, '203.0.113.1'],
    ['every entry trusted: the leftmost', '10.1.1.1', { 'X-Forwarded-For': '10.9.9.9, 192.0.2.1' }, '10.9.9.9'],
    ['an entry that is not an address stops at the proxy that wrote it', '10.1.1.1', { 'X-Forwarded-For': '203.0.113.1, unknown' }, '10.1.1.1'],
    ['garbage from a trusted proxy: the proxy', '10.1.1.1', { 'X-Forwarded-For': 'not an address' }, '10.1.1.1'],
    ['an empty header: the peer', '10.1.1.1', { 'X-Forwarded-For': '' }, '10.1.1.1'],
    ['address with a port', '10.1.1.1', { 'X-Forwarded-For': '203.0.113.1:4711' }, '203.0.113.1'],
    ['IPv6 entry, bracketed with a port', '10.1.1.1', { 'X-Forwarded-For': '[2001:DB8::1]:4711' }, '2001:db8:0:0:0:0:0:1'],
    ['IPv6 entry, bare', '10.1.1.1', { 'X-Forwarded-For': '2001:db8::1' }, '2001:db8:0:0:0:0:0:1'],
    ['an IPv4-mapped peer of a dual-stack socket is trusted as its IPv4 address', '::ffff:10.1.1.1', { 'X-Forwarded-For': '203.0.113.1' }, '203.0.113.1'],
    ['an IPv4-mapped peer that is not trusted: its IPv4 address', '::ffff:198.51.100.7', { 'X-Forwarded-For': '203.0.113.1' }, '198.51.100.7'],
    ['IPv6 proxy', 'fd00::5', { 'X-Forwarded-For': '203.0.113.1' }, '203.0.113.1'],
    ['the Forwarded header is not read when X-Forwarded-For is the one in use', '10.1.1.1', { Forwarded: 'for=203.0.113.1' }, '10.1.1.1'],
    ['a socket without an address', undefined, { 'X-Forwarded-For': '203.0.113.1' }, 'unknown'],
  ])('%s', (_case, peer, headers, expected) => {
    expect(clients.of(request(peer, headers))).toBe(expected);
  });
});

describe('ClientAddresses: Forwarded (RFC 7239)', () => {
  const clients = new ClientAddresses(AddressList.parse(PROXIES), 'forwarded');
  it.each<[string, Record<string, string>, string]>([
    ['for= of the last element', { Forwarded: 'for=203.0.113.1;proto=https;by=10.1.1.1' }, '203.0.113.1'],
    ['quoted IPv6 with a port', { Forwarded: 'for="[2001:db8:cafe::17]:4711"' }, '2001:db8:cafe:0:0:0:0:17'],
    ['case of the parameter name', { Forwarded: 'For=203.0.113.1' }, '203.0.113.1'],
    ['several elements: from the right', { Forwarded: 'for=1.1.1.1, for=203.0.113.1;proto=http, for=192.0.2.1' }, '203.0.113.1'],
    ['a quoted comma does not split an element', { Forwarded: 'for=203.0.113.1;x="a,b"' }, '203.0.113.1'],
    ['an obfuscated identifier stops at the proxy', { Forwarded: 'for=_hidden' }, '10.1.1.1'],
    ['unknown stops at the proxy', { Forwarded: 'for=unknown' }, '10.1.1.1'],
    ['an element without for= stops at the proxy', { Forwarded: 'for=203.0.113.1, proto=https' }, '10.1.1.1'],
    ['X-Forwarded-For is not read when Forwarded is the one in use', { 'X-Forwarded-For': '203.0.113.1' }, '10.1.1.1'],
  ])('%s', (_case, headers, expected) => {
    expect(clients.of(request('10.1.1.1', headers))).toBe(expected);
  });
});

describe('ClientAddresses: defaults and stamping', () => {
  it('trusts nobody by default', () => {
    expect(new ClientAddresses().of(request('127.0.0.1', { 'X-Forwarded-For': '203.0.113.1' }))).toBe('127.0.0.1');
  });

  it.each<ForwardedHeader>(['x-forwarded-for', 'forwarded'])('stamp() puts the address where clientAddress() reads it (%s)', (header) => {
    const clients = new ClientAddresses(AddressList.parse('127.0.0.1'), header);
    const req = request('127.0.0.1', header === 'forwarded' ? { Forwarded: 'for=203.0.113.9' } : { 'X-Forwarded-For': '203.0.113.9' });
    let seen = '';
    clients.stamp((r) => (seen = clientAddress(r)))(req, {} as never);
    expect(seen).toBe('203.0.113.9');
    // Unstamped: the peer, never the header.
    expect(clientAddress(request('::ffff:127.0.0.1', { 'X-Forwarded-For': '203.0.113.9' }))).toBe('127.0.0.1');
  });
});

describe('WHARF_TRUSTED_PROXIES and WHARF_FORWARDED_HEADER', () => {
  it('read the list and the header; none and X-Forwarded-For by default', () => {
    expect(loadConfig({})).toMatchObject({ trustedProxies: '', forwardedHeader: 'x-forwarded-for' });
    expect(loadConfig({ WHARF_TRUSTED_PROXIES: '10.0.0.0/8, ::1', WHARF_FORWARDED_HEADER: 'Forwarded' })).toMatchObject({
      trustedProxies: '10.0.0.0/8, ::1',
      forwardedHeader: 'forwarded',
    });
  });

  it.each([
    [{ WHARF_TRUSTED_PROXIES: 'proxy.example.org' }, /WHARF_TRUSTED_PROXIES: "proxy.example.org" is neither an address nor a CIDR range/],
    [{ WHARF_TRUSTED_PROXIES: '10.0.0.0/33' }, /WHARF_TRUSTED_PROXIES: "10.0.0.0\/33" has an invalid prefix length/],
    [{ WHARF_FORWARDED_HEADER: 'X-Real-IP' }, /WHARF_FORWARDED_HEADER must be X-Forwarded-For or Forwarded/],
  ])('refuse %j at start-up with a message naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
