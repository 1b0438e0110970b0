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

describe('validateName', () => {
  it.each([
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
  ])('accepts %s', (name) => {
    expect(() => validateName(name)).not.toThrow();
    expect(isValidName(name)).toBe(true);
    expect(REPOSITORY_NAME_PATTERN.test(name)).toBe(true);
  });

  it.each([
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
  ])('rejects %s', (_label, name, message) => {
    const e = registryErrorOf(() => validateName(name));
    expect(e.code).toBe('NAME_INVALID');
    expect(e.message).toMatch(message);
    expect(isValidName(name)).toBe(false);
    expect(REPOSITORY_NAME_PATTERN.test(name) && name.length <= MAX_NAME_LENGTH).toBe(false);
  });
});

describe('validateTag', () => {
  it.each(['latest', 'v1.2.3', '1', '_hidden', 'A-b_c.D', 'a'.repeat(128), 'sha256-abc.sig'])('accepts %s', (tag) => {
    expect(() => validateTag(tag)).not.toThrow();
    expect(isValidTag(tag)).toBe(true);
    expect(TAG_PATTERN.test(tag)).toBe(true);
  });

  it.each([
    ['empty', '', /must not be empty/],
    ['129 characters', 'a'.repeat(129), /at most 128 characters \(got 129\)/],
    ['leading period', '.hidden', /must start with/],
    ['leading dash', '-rc1', /must start with/],
    ['colon', 'v1:2', /invalid character ":"/],
    ['slash', 'feature/x', /invalid character "\/"/],
    ['plus', '1.0+build', /invalid character "\+"/],
    ['space', 'my tag', /invalid character " "/],
  ])('rejects %s', (_label, tag, message) => {
    const e = registryErrorOf(() => validateTag(tag));
    expect(e.code).toBe('TAG_INVALID');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(message);
    expect(isValidTag(tag)).toBe(false);
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
