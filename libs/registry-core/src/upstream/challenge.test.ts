import { describe, expect, it } from 'vitest';
import { parseChallenges, pickChallenge } from './challenge';

describe('parseChallenges', () => {
  it('parses a Docker Hub Bearer challenge', () => {
    const [c, ...rest] = parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
    );
    expect(rest).toEqual([]);
    expect(c).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    });
  });

  it('parses several challenges on one line, unquoted values, spaces and case', () => {
    const cs = parseChallenges('Basic realm="Registry Realm", BEARER Realm=https://r.example/token , Service = "reg"');
    expect(cs).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      { scheme: 'bearer', params: { realm: 'https://r.example/token', service: 'reg' } },
    ]);
  });

  it('keeps commas and escaped quotes inside quoted strings', () => {
    const [c] = parseChallenges('Bearer realm="https://a/t",scope="repository:a/b:pull,push",error="say \\"no\\""');
    expect(c!.params).toEqual({ realm: 'https://a/t', scope: 'repository:a/b:pull,push', error: 'say "no"' });
  });

  it('accepts several header lines and token68 challenges', () => {
    const cs = parseChallenges(['Negotiate abc+/==', 'Basic realm="x"']);
    expect(cs).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc+/==' },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
  });

  it('tolerates empty and malformed input', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges(' , ,')).toEqual([]);
    expect(parseChallenges('Basic')).toEqual([{ scheme: 'basic', params: {} }]);
    expect(parseChallenges('="x", Bearer realm="r"')).toEqual([{ scheme: 'bearer', params: { realm: 'r' } }]);
  });

  it('pickChallenge prefers Bearer, then Basic, else null', () => {
    expect(pickChallenge(parseChallenges('Basic realm="a", Bearer realm="b"'))?.scheme).toBe('bearer');
    expect(pickChallenge(parseChallenges('Basic realm="a"'))?.scheme).toBe('basic');
    expect(pickChallenge(parseChallenges('Negotiate'))).toBeNull();
  });
});
