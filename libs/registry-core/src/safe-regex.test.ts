import { describe, expect, it } from 'vitest';
import { CachePolicy } from './proxy/cache-policy';
import { MAX_PATTERN_LENGTH, SafeRegex, UnsafePatternError } from './safe-regex';

describe('SafeRegex: what users write for tags and names', () => {
  it.each<[string, string[], string[]]>([
    ['latest|.*-dev', ['latest', '1.0-dev'], ['latest2', '1.0-dev.1', 'xlatest']],
    ['[0-9]+\\.[0-9]+\\.[0-9]+', ['1.2.3', '10.20.30'], ['1.2', '1.2.3-rc1', 'v1.2.3']],
    ['v?\\d+(\\.\\d+){0,2}', ['1', 'v1.2', '1.2.3'], ['1.2.3.4', 'v']],
    ['(?i)LATEST', ['latest', 'Latest'], ['latest1']],
    ['team-[a-z]+/.*', ['team-a/app'], ['team-1/app', 'xteam-a/app']],
    ['', [''], ['a']],
  ])('%s matches whole inputs only', (pattern, yes, no) => {
    const re = SafeRegex.compile(pattern);
    for (const input of yes) expect(re.matches(input), input).toBe(true);
    for (const input of no) expect(re.matches(input), input).toBe(false);
  });

  it.each<[string, string, RegExp]>([
    ['a backreference', '(a)\\1', /not a supported regular expression/],
    ['a lookahead', 'foo(?=bar)', /not a supported regular expression/],
    ['a negative lookbehind', '(?<!x)y', /not a supported regular expression/],
    ['an unbalanced group', '(abc', /not a supported regular expression/],
    ['a group closed early to escape the anchors', 'a)|(b', /not a supported regular expression/],
    ['a dangling quantifier', '*a', /not a supported regular expression/],
    ['a pattern that is too long', 'a'.repeat(MAX_PATTERN_LENGTH + 1), /at most 1000/],
  ])('refuses %s with a message', (_what, pattern, message) => {
    expect(() => SafeRegex.compile(pattern)).toThrow(UnsafePatternError);
    expect(SafeRegex.problem(pattern)).toMatch(message);
  });

  it('nested quantifiers are accepted and run in linear time (a backtracking engine never finishes these)', () => {
    for (const pattern of ['(a+)+', '(a|a)*', '(a|aa)+$', '(.*a){12}', '(\\w+\\s?)*$']) {
      const re = SafeRegex.compile(pattern);
      expect(re.matches(`${'a'.repeat(5000)}!`), pattern).toBe(false);
    }
    expect(SafeRegex.compile('(a+)+').matches('a'.repeat(5000))).toBe(true);
  });
});

describe('CachePolicy: tag tiers', () => {
  const proxy = (tagMaxAge: { pattern: string; maxAge: number }[]) => ({ remoteUrl: 'https://r.example', contentMaxAge: 1, metadataMaxAge: 60, tagMaxAge });

  it('the first matching tier wins, else metadataMaxAge', () => {
    const policy = new CachePolicy(proxy([{ pattern: 'latest|.*-dev', maxAge: 5 }, { pattern: '[0-9.]+', maxAge: -1 }]));
    expect(policy.maxAgeMinutes('latest')).toBe(5);
    expect(policy.maxAgeMinutes('1.2-dev')).toBe(5);
    expect(policy.maxAgeMinutes('1.2.3')).toBe(-1);
    expect(policy.maxAgeMinutes('stable')).toBe(60);
  });

  it('a catastrophic pattern answers at once for a long tag (it froze the server for 8.7 s with 30 characters)', () => {
    const policy = new CachePolicy(proxy([{ pattern: '(a+)+', maxAge: 5 }]));
    expect(policy.maxAgeMinutes(`${'a'.repeat(120)}!`)).toBe(60);
  });

  it('a stored pattern RE2 cannot run (accepted before) is skipped and reported, not fatal', () => {
    const policy = new CachePolicy(proxy([{ pattern: '(a)\\1', maxAge: 5 }, { pattern: 'latest', maxAge: 1 }]));
    expect(policy.unusable).toHaveLength(1);
    expect(policy.maxAgeMinutes('aa')).toBe(60);
    expect(policy.maxAgeMinutes('latest')).toBe(1);
  });
});
