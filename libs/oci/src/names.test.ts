import { registryErrorOf } from '../test/registry-error-of';
import { describe, expect, it } from 'vitest';
import {
  MAX_NAME_LENGTH,
  REPOSITORY_NAME_PATTERN,
  TAG_PATTERN,
  isDigestReference,
  isValidName,
  isValidReference,
  isValidTag,
  parseReference,
  validateName,
  validateTag,
} from './names';


const SHA = `sha256:${'c'.repeat(64)}`;

/**
 * Each grammar's tables: what it accepts, and what it refuses with which message. The validator, its boolean
 * twin and the exported pattern (which clients reuse) must agree on every row.
 */
const GRAMMARS: Array<{
  grammar: string;
  validate(s: string): void;
  isValid(s: string): boolean;
  matches(s: string): boolean;
  code: string;
  valid: string[];
  invalid: Array<[string, string, RegExp]>;
}> = [
  {
    grammar: 'validateName',
    validate: validateName,
    isValid: isValidName,
    matches: (s) => REPOSITORY_NAME_PATTERN.test(s) && s.length <= MAX_NAME_LENGTH,
    code: 'NAME_INVALID',
    valid: [
      'a',
      'library/ubuntu',
      'team/app',
      'a/b/c/d/e',
      'my-app',
      'my--app',
      'my---app',
      'my_app',
      'my__app',
      'my.app',
      'v1.2/x-y_z__w',
      '0/9',
      'a'.repeat(MAX_NAME_LENGTH),
      `${'a'.repeat(127)}/${'b'.repeat(127)}`,
    ],
    invalid: [
      ['empty', '', /must not be empty/],
      ['256 characters', 'a'.repeat(256), /at most 255 characters \(got 256\)/],
      ['upper case', 'Library/ubuntu', /lowercase/],
      ['upper case later', 'library/Ubuntu', /lowercase/],
      ['space', 'my app', /invalid character " "/],
      ['colon', 'host:5000/app', /invalid character ":"/],
      ['at sign', 'app@sha', /invalid character "@"/],
      ['unicode', 'caf\u00e9', /invalid character/],
      ['..', 'a/../b', /must not contain "\.\."/],
      ['.. inside a segment', 'a..b', /"\.\."/],
      ['double slash', 'a//b', /empty path segment/],
      ['leading slash', '/a', /empty path segment/],
      ['trailing slash', 'a/', /empty path segment/],
      ['leading dash', '-a', /segment "-a" must start and end/],
      ['trailing dash', 'a-', /segment "a-" must start and end/],
      ['leading underscore', 'team/_app', /segment "_app" must start and end/],
      ['trailing period', 'team/app.', /segment "app\." must start and end/],
      ['triple underscore', 'a___b', /invalid separator/],
      ['mixed separators', 'a._b', /invalid separator/],
      ['dash then period', 'a-.b', /invalid separator/],
    ],
  },
  {
    grammar: 'validateTag',
    validate: validateTag,
    isValid: isValidTag,
    matches: (s) => TAG_PATTERN.test(s),
    code: 'TAG_INVALID',
    valid: ['latest', 'v1.2.3', '1', '_hidden', 'A-b_c.D', 'a'.repeat(128), 'sha256-abc.sig'],
    invalid: [
      ['empty', '', /must not be empty/],
      ['129 characters', 'a'.repeat(129), /at most 128 characters \(got 129\)/],
      ['leading period', '.hidden', /must start with/],
      ['leading dash', '-rc1', /must start with/],
      ['colon', 'v1:2', /invalid character ":"/],
      ['slash', 'feature/x', /invalid character "\/"/],
      ['plus', '1.0+build', /invalid character "\+"/],
      ['space', 'my tag', /invalid character " "/],
    ],
  },
];

describe.each(GRAMMARS)('$grammar', ({ validate, isValid, matches, code, valid, invalid }) => {
  it.each(valid)('accepts %s', (s) => {
    expect(() => validate(s)).not.toThrow();
    expect(isValid(s)).toBe(true);
    expect(matches(s)).toBe(true);
  });

  it.each(invalid)('rejects %s', (_label, s, message) => {
    const e = registryErrorOf(() => validate(s));
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(message);
    expect(isValid(s)).toBe(false);
    expect(matches(s)).toBe(false);
  });
});

describe('references', () => {
  it.each([
    ['latest', false],
    [SHA, true],
    ['sha256:short', true],
    ['v1.0', false],
  ])('isDigestReference(%s) = %s', (ref, expected) => {
    expect(isDigestReference(ref)).toBe(expected);
  });

  it.each([
    ['latest', { kind: 'tag', tag: 'latest' }],
    [SHA, { kind: 'digest', digest: SHA }],
  ])('parseReference(%s)', (ref, expected) => {
    expect(parseReference(ref)).toEqual(expected);
    expect(isValidReference(ref)).toBe(true);
  });

  it.each([
    ['sha256:short', 'DIGEST_INVALID'],
    ['.bad', 'TAG_INVALID'],
    ['', 'TAG_INVALID'],
  ])('parseReference(%j) throws %s', (ref, code) => {
    expect(registryErrorOf(() => parseReference(ref)).code).toBe(code);
    expect(isValidReference(ref)).toBe(false);
  });
});
