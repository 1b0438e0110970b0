'use strict';
// The POSIX ustar header of one regular file (mode 0644, owned by root): what an image layer holds before gzip.
// Shared by the test kit's layer builder (test/kit/src/random-layer.ts) and `npm run bench`'s small image
// (scripts/bench/src/lib/content.ts); plain JS so that the compiled benchmark loads it as it is.

const BLOCK = 512;

/**
 * @param {string} name the file's path in the archive (at most 100 bytes)
 * @param {number} size the file's length in bytes (below 8 GiB)
 * @param {number} [mtime] seconds since the epoch; 0 by default, so that equal content gives equal layers
 * @returns {Buffer} one 512-byte block
 */
function ustarHeader(name, size, mtime = 0) {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  if (size >= 8 ** 11) throw new Error('file too large for a ustar header');
  const h = Buffer.alloc(BLOCK);
  const put = (offset, length, value) => h.write(value, offset, length, 'ascii');
  const octal = (offset, length, value) => put(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  put(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, mtime);
  put(148, 8, '        '); // checksum placeholder: counted as spaces
  put(156, 1, '0');
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(265, 32, 'root');
  put(297, 32, 'root');
  let sum = 0;
  for (const byte of h) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

module.exports = { BLOCK, ustarHeader };
