import { createRequire } from 'node:module';

/** A file an ingest is still writing, which `send` can follow (opaque, from the addon). */
export type GrowingFile = object & { readonly __growingFile: unique symbol };

/** libs/blobstore/native (sendfile.cc, ingest.cc, module.cc), built by scripts/build-native.js. */
export interface NativeIo {
  send(socketFd: number, fileFd: number, offset: number, count: number, idleTimeoutMs: number, growing?: GrowingFile): Promise<number>;
  ingest(
    socketFd: number,
    fileFd: number,
    head: Buffer,
    total: number,
    expectedHex: string,
    idleTimeoutMs: number,
    onProgress: (bytesWritten: number) => void,
  ): { done: Promise<string>; growing: GrowingFile };
  dup(fd: number): number;
}

/** The addon, or null when it is not built, not Linux, or turned off with WHARF_ZERO_COPY=off. */
export const nativeIo: NativeIo | null = load();

function load(): NativeIo | null {
  if (process.platform !== 'linux' || process.env.WHARF_ZERO_COPY === 'off') return null;
  try {
    // The same relative path from src/fs (tests) and dist/fs (the build).
    return createRequire(__filename)('../../native/build/Release/wharf_native.node') as NativeIo;
  } catch {
    return null;
  }
}
