import { describe, expect, it } from 'vitest';
import {
  type Credentials,
  type Scope,
  formatBasicChallenge,
  formatBearerChallenge,
  formatScope,
  mergeScopes,
  parseAuthorization,
  parseScope,
  parseScopes,
} from './auth';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('parseScope / formatScope', () => {
  it.each<[string, Scope]>([
    ['repository:team/app:pull,push', { type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
    ['repository:library/ubuntu:pull', { type: 'repository', name: 'library/ubuntu', actions: ['pull'] }],
    ['repository:localhost:5000/app:pull', { type: 'repository', name: 'localhost:5000/app', actions: ['pull'] }],
    ['repository:reg.example.com:443/a/b:push,pull', { type: 'repository', name: 'reg.example.com:443/a/b', actions: ['push', 'pull'] }],
    ['registry:catalog:*', { type: 'registry', name: 'catalog', actions: ['*'] }],
    ['repository(plugin):vieux/sshfs:pull', { type: 'repository(plugin)', name: 'vieux/sshfs', actions: ['pull'] }],
    ['repository:app:', { type: 'repository', name: 'app', actions: [] }],
    ['repository:app:pull,,pull', { type: 'repository', name: 'app', actions: ['pull'] }],
  ])('%s', (text, scope) => {
    expect(parseScope(text)).toEqual(scope);
  });

  it.each([
    ['repository:team/app:pull,push', 'repository:team/app:pull,push'],
    ['repository:localhost:5000/app:pull', 'repository:localhost:5000/app:pull'],
    ['repository:app:pull,,push', 'repository:app:pull,push'],
  ])('round-trips %s', (text, formatted) => {
    expect(formatScope(parseScope(text))).toBe(formatted);
  });

  it.each([
    ['empty', ''],
    ['no colon', 'repository'],
    ['one colon', 'repository:app'],
    ['empty type', ':app:pull'],
    ['empty name', 'repository::pull'],
    ['whitespace in name', 'repository:my app:pull'],
    ['whitespace in actions', 'repository:app:pull, push'],
  ])('rejects %s', (_label, text) => {
    expect(() => parseScope(text)).toThrow(/malformed scope/);
  });
});

describe('parseScopes', () => {
  const pull = (name: string): Scope => ({ type: 'repository', name, actions: ['pull'] });
  it.each<[string, string | string[] | undefined, Scope[]]>([
    ['undefined', undefined, []],
    ['one', 'repository:a:pull', [pull('a')]],
    ['space-separated', 'repository:a:pull repository:b:pull', [pull('a'), pull('b')]],
    ['several params', ['repository:a:pull', 'repository:b:pull'], [pull('a'), pull('b')]],
    ['several params with spaces', ['repository:a:pull  repository:b:pull', 'repository:c:pull'], [pull('a'), pull('b'), pull('c')]],
    ['host:port names', 'repository:h:5000/a:pull', [pull('h:5000/a')]],
    ['empty string', '', []],
  ])('%s', (_label, values, expected) => {
    expect(parseScopes(values)).toEqual(expected);
  });

  it('throws on a malformed member', () => {
    expect(() => parseScopes(['repository:a:pull', 'bad'])).toThrow();
  });

  it('mergeScopes joins actions per resource', () => {
    expect(mergeScopes(parseScopes(['repository:a:pull', 'repository:b:pull', 'repository:a:push,pull']))).toEqual([
      { type: 'repository', name: 'a', actions: ['pull', 'push'] },
      { type: 'repository', name: 'b', actions: ['pull'] },
    ]);
  });
});

describe('challenges', () => {
  it.each<[string, Parameters<typeof formatBearerChallenge>[0], string]>([
    [
      'realm and service',
      { realm: 'https://wharf.example/v2/token', service: 'wharf' },
      'Bearer realm="https://wharf.example/v2/token",service="wharf"',
    ],
    [
      'with scope',
      { realm: 'https://r/token', service: 'wharf', scope: 'repository:a:pull,push' },
      'Bearer realm="https://r/token",service="wharf",scope="repository:a:pull,push"',
    ],
    [
      'with error',
      { realm: 'https://r/token', service: 'wharf', scope: 'repository:a:pull', error: 'insufficient_scope' },
      'Bearer realm="https://r/token",service="wharf",scope="repository:a:pull",error="insufficient_scope"',
    ],
    ['quotes and backslashes escaped', { realm: 'a"b\\c', service: 's' }, 'Bearer realm="a\\"b\\\\c",service="s"'],
    ['CR/LF dropped', { realm: 'r\r\nX-Injected: 1', service: 's' }, 'Bearer realm="rX-Injected: 1",service="s"'],
  ])('bearer: %s', (_label, params, expected) => {
    expect(formatBearerChallenge(params)).toBe(expected);
  });

  it.each([
    ['Wharf', 'Basic realm="Wharf"'],
    ['My "Registry"', 'Basic realm="My \\"Registry\\""'],
  ])('basic: %j', (realm, expected) => {
    expect(formatBasicChallenge(realm)).toBe(expected);
  });
});

describe('parseAuthorization', () => {
  it.each<[string, string | undefined, Credentials | null]>([
    ['absent', undefined, null],
    ['empty', '', null],
    ['basic', `Basic ${b64('alice:s3cret')}`, { scheme: 'basic', username: 'alice', password: 's3cret' }],
    ['basic, lower-case scheme', `basic ${b64('alice:pw')}`, { scheme: 'basic', username: 'alice', password: 'pw' }],
    ['basic, upper-case scheme', `BASIC ${b64('alice:pw')}`, { scheme: 'basic', username: 'alice', password: 'pw' }],
    ['basic, colon in password', `Basic ${b64('alice:a:b:c')}`, { scheme: 'basic', username: 'alice', password: 'a:b:c' }],
    ['basic, empty password', `Basic ${b64('alice:')}`, { scheme: 'basic', username: 'alice', password: '' }],
    ['basic, UTF-8', `Basic ${b64('j\u00fcrgen:p\u00e4ss')}`, { scheme: 'basic', username: 'j\u00fcrgen', password: 'p\u00e4ss' }],
    ['basic, unpadded base64', `Basic ${b64('ab:c').replace(/=+$/, '')}`, { scheme: 'basic', username: 'ab', password: 'c' }],
    ['basic, surrounding spaces', `  Basic   ${b64('a:b')}  `, { scheme: 'basic', username: 'a', password: 'b' }],
    ['basic, missing colon', `Basic ${b64('alice')}`, null],
    ['basic, not base64', 'Basic !!!notbase64', null],
    ['basic, base64 with junk', `Basic ${b64('a:b')}*`, null],
    ['basic, bad length', 'Basic YWJjZ', null],
    ['basic, invalid UTF-8', `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`, null],
    ['basic, no credentials', 'Basic', null],
    ['basic, two words', `Basic ${b64('a:b')} extra`, null],
    ['bearer JWT', 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln', { scheme: 'bearer', token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln' }],
    ['bearer, lower-case scheme', 'bearer abc', { scheme: 'bearer', token: 'abc' }],
    ['bearer, token68 padding', 'Bearer abc==', { scheme: 'bearer', token: 'abc==' }],
    ['bearer, no token', 'Bearer ', null],
    ['bearer, bad characters', 'Bearer a"b', null],
    ['other scheme', 'Digest username="a"', null],
    ['no scheme', b64('a:b'), null],
  ])('%s', (_label, header, expected) => {
    expect(parseAuthorization(header)).toEqual(expected);
  });
});
