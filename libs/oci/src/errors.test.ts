import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, RegistryError, errorBody, isRegistryError } from './errors';

describe('ERROR_CODES', () => {
  it.each<[ErrorCode, number]>([
    ['BLOB_UNKNOWN', 404],
    ['BLOB_UPLOAD_INVALID', 400],
    ['BLOB_UPLOAD_UNKNOWN', 404],
    ['DIGEST_INVALID', 400],
    ['MANIFEST_BLOB_UNKNOWN', 404],
    ['MANIFEST_INVALID', 400],
    ['MANIFEST_UNKNOWN', 404],
    ['NAME_INVALID', 400],
    ['NAME_UNKNOWN', 404],
    ['SIZE_INVALID', 400],
    ['UNAUTHORIZED', 401],
    ['DENIED', 403],
    ['UNSUPPORTED', 405],
    ['TOOMANYREQUESTS', 429],
    ['RANGE_INVALID', 416],
    ['TAG_INVALID', 400],
    ['UNAVAILABLE', 503],
    ['UNKNOWN', 500],
  ])('%s -> %i, with a message', (code, status) => {
    expect(ERROR_CODES[code].status).toBe(status);
    expect(ERROR_CODES[code].message.length).toBeGreaterThan(0);
    const e = new RegistryError(code);
    expect(e.status).toBe(status);
    expect(e.message).toBe(ERROR_CODES[code].message);
  });

  it('covers exactly the 18 codes', () => {
    expect(Object.keys(ERROR_CODES)).toHaveLength(18);
  });
});

describe('RegistryError', () => {
  it('keeps message, detail, status override and headers', () => {
    const e = new RegistryError('MANIFEST_INVALID', 'too big', { size: 5 }, { status: 413, headers: { 'Retry-After': '3' } });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('RegistryError');
    expect(e.code).toBe('MANIFEST_INVALID');
    expect(e.message).toBe('too big');
    expect(e.detail).toEqual({ size: 5 });
    expect(e.status).toBe(413);
    expect(e.headers).toEqual({ 'Retry-After': '3' });
  });

  it('defaults headers to an empty object and detail to undefined', () => {
    const e = new RegistryError('DENIED');
    expect(e.headers).toEqual({});
    expect(e.detail).toBeUndefined();
  });
});

describe('isRegistryError', () => {
  // A structurally identical error from another copy of the module (src vs dist).
  const foreign = Object.assign(new Error('x'), { name: 'RegistryError', code: 'BLOB_UNKNOWN', status: 404 });
  it.each<[string, unknown, boolean]>([
    ['a RegistryError', new RegistryError('UNKNOWN'), true],
    ['one from another module copy', foreign, true],
    ['a plain Error', new Error('x'), false],
    ['an unknown code', { name: 'RegistryError', code: 'NOPE', status: 400 }, false],
    ['the fields under another class name', { name: 'UpstreamError', code: 'BLOB_UNKNOWN', status: 404 }, false],
    ['null', null, false],
    ['a string', 'BLOB_UNKNOWN', false],
  ])('%s -> %s', (_label, value, expected) => {
    expect(isRegistryError(value)).toBe(expected);
  });
});

describe('errorBody', () => {
  it('renders the spec wire shape', () => {
    const body = errorBody([new RegistryError('BLOB_UNKNOWN', undefined, { digest: 'sha256:x' }), new RegistryError('DENIED', 'no')]);
    expect(body).toEqual({
      errors: [
        { code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest: 'sha256:x' } },
        { code: 'DENIED', message: 'no', detail: undefined },
      ],
    });
    expect(JSON.parse(JSON.stringify(body)).errors[1]).toEqual({ code: 'DENIED', message: 'no' });
  });
});
