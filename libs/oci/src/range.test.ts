import { registryErrorOf } from '../test/registry-error-of';
import { describe, expect, it } from 'vitest';
import {
  type RangeResult,
  formatContentRange,
  formatUnsatisfiedContentRange,
  parseRange,
  parseUploadContentRange,
  uploadRangeHeader,
} from './range';

const r = (start: number, end: number): RangeResult => ({ kind: 'range', start, end });
const NONE: RangeResult = { kind: 'none' };
const UNSAT: RangeResult = { kind: 'unsatisfiable' };

describe('parseRange', () => {
  it.each<[string | undefined, number, RangeResult]>([
    [undefined, 100, NONE],
    ['', 100, NONE],
    ['bytes=0-9', 100, r(0, 9)],
    ['bytes=10-10', 100, r(10, 10)],
    ['bytes=90-99', 100, r(90, 99)],
    ['bytes=90-1000', 100, r(90, 99)], // end clamped
    ['bytes=0-99999999999999999999', 100, r(0, 99)],
    ['bytes=50-', 100, r(50, 99)],
    ['bytes=0-', 100, r(0, 99)],
    ['bytes=-10', 100, r(90, 99)],
    ['bytes=-100', 100, r(0, 99)],
    ['bytes=-1000', 100, r(0, 99)], // suffix larger than the blob: whole blob
    ['Bytes=0-1', 100, r(0, 1)], // unit is case-insensitive
    [' bytes = 1 - 2 ', 100, r(1, 2)],
    ['bytes=0-0', 1, r(0, 0)],
    ['bytes=100-', 100, UNSAT], // start == size
    ['bytes=150-200', 100, UNSAT],
    ['bytes=0-0', 0, UNSAT], // empty blob
    ['bytes=-5', 0, UNSAT],
    ['bytes=-0', 100, UNSAT],
    ['bytes=0-1,5-6', 100, NONE], // multiple ranges: serve whole
    ['bytes=0-1, 5-6', 100, NONE],
    ['items=0-1', 100, NONE], // other unit
    ['bytes=9-1', 100, NONE], // last < first: invalid
    ['bytes=-', 100, NONE],
    ['bytes=abc', 100, NONE],
    ['bytes=1.5-2', 100, NONE],
    ['bytes 0-1', 100, NONE],
    ['0-1', 100, NONE],
  ])('%j of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('Content-Range formatting', () => {
  it.each([
    [0, 9, 100, 'bytes 0-9/100'],
    [90, 99, 100, 'bytes 90-99/100'],
    [0, 0, 1, 'bytes 0-0/1'],
  ])('formatContentRange(%i, %i, %i)', (s, e, size, expected) => {
    expect(formatContentRange(s, e, size)).toBe(expected);
  });

  it('formats the 416 form', () => {
    expect(formatUnsatisfiedContentRange(100)).toBe('bytes */100');
  });
});

describe('parseUploadContentRange', () => {
  it.each([
    ['0-1023', 0, 1023],
    ['1024-2047', 1024, 2047],
    ['5-5', 5, 5],
    ['bytes 0-99', 0, 99],
    ['bytes=0-99', 0, 99],
    [' 0-99 ', 0, 99],
  ])('%j', (header, start, end) => {
    expect(parseUploadContentRange(header)).toEqual({ start, end });
  });

  it.each([
    ['empty', ''],
    ['no dash', '100'],
    ['missing end', '0-'],
    ['missing start', '-10'],
    ['end before start', '10-5'],
    ['negative', '-1-5'],
    ['with total', 'bytes 0-99/100'],
    ['letters', 'a-b'],
    ['huge', '0-99999999999999999999'],
  ])('rejects %s with 416', (_label, header) => {
    const error = registryErrorOf(() => parseUploadContentRange(header));
    expect(error.code).toBe('RANGE_INVALID');
    expect(error.status).toBe(416);
  });
});

describe('uploadRangeHeader', () => {
  it.each([
    [0, '0-0'],
    [1, '0-0'],
    [2, '0-1'],
    [1024, '0-1023'],
  ])('%i bytes -> %s', (size, expected) => {
    expect(uploadRangeHeader(size)).toBe(expected);
  });
});
