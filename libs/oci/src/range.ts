/**
 * Range headers: the client's Range on blob GET (RFC 9110 single byte ranges), and the
 * registry-specific unit-less ranges of chunked uploads ("0-1023").
 */
import { RegistryError } from './errors';

export type RangeResult = { kind: 'none' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' };

const NONE: RangeResult = { kind: 'none' };
const UNSATISFIABLE: RangeResult = { kind: 'unsatisfiable' };

/**
 * Interprets a Range header for a representation of `size` bytes. Anything we do not serve
 * as a single range (other units, several ranges, bad syntax) yields 'none', which means
 * "send the whole blob with 200" — RFC 9110 allows ignoring Range.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return NONE;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return NONE;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return NONE;
  if (first === '') {
    // Suffix range "-n": the last n bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'range', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return NONE; // invalid byte-range-spec
  if (start >= size) return UNSATISFIABLE;
  return { kind: 'range', start, end: Math.min(end, size - 1) };
}

export function formatContentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end}/${size}`;
}

/** Content-Range for a 416 response. */
export function formatUnsatisfiedContentRange(size: number): string {
  return `bytes */${size}`;
}

/**
 * Content-Range of a chunked upload PATCH: "<start>-<end>", inclusive, no unit (as Docker
 * sends it); a leading "bytes " or "bytes=" is tolerated.
 */
export function parseUploadContentRange(header: string): { start: number; end: number } {
  const m = /^\s*(?:bytes[ =]\s*)?(\d+)-(\d+)\s*$/i.exec(header ?? '');
  if (!m) throw new RegistryError('RANGE_INVALID', `malformed Content-Range ${JSON.stringify(header)}`);
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
    throw new RegistryError('RANGE_INVALID', `Content-Range ${JSON.stringify(header)} is out of range`);
  }
  if (end < start) throw new RegistryError('RANGE_INVALID', `Content-Range end ${end} is before start ${start}`);
  return { start, end };
}

/** The Range header of upload responses: bytes received so far, "0-0" when none (as Distribution does). */
export function uploadRangeHeader(size: number): string {
  return size > 0 ? `0-${size - 1}` : '0-0';
}
