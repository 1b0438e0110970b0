// Types of ustar.js, for the test kit and the benchmark.
/** A tar block's size: headers are one block, file data is padded to whole blocks. */
export declare const BLOCK: 512;
/** The POSIX ustar header (one block) of a regular file, mode 0644, owned by root; mtime 0 unless given. */
export declare function ustarHeader(name: string, size: number, mtime?: number): Buffer;
