import { createRequire } from 'node:module';

/** A gate of the addon (gate.h): how far sendfile threads may read a file still being written. Opaque. */
export type GateHandle = object & { readonly __gate: unique symbol };

/** A trust configuration of the addon's TLS client (an OpenSSL context with its CA store). Opaque. */
export type TlsContextHandle = object & { readonly __tlsContext: unique symbol };
/** A running hash of the addon (hasher.h). Opaque. */
export type HasherHandle = object & { readonly __hasher: unique symbol };
/** A connection of the addon's HTTP client (connection.h). Opaque. */
export type ConnectionHandle = object & { readonly __connection: unique symbol };

/** libs/native-io/native (module.cc and friends), built by scripts/build-native.js. */
export interface NativeAddon {
  send(socketFd: number, fileFd: number, offset: number, count: number, idleTimeoutMs: number, gate?: GateHandle): Promise<number>;
  gate(): GateHandle;
  gateSet(gate: GateHandle, readable: number): void;
  gateFail(gate: GateHandle): void;
  tlsContext(caPem: string | null, verify: boolean): TlsContextHandle;
  connOpen(fd: number, tls: TlsContextHandle | undefined, host: string, head: Buffer): ConnectionHandle;
  connExchange(conn: ConnectionHandle, request: Buffer, timeoutMs: number, handshakeTimeoutMs: number): Promise<Buffer>;
  connBeginBody(conn: ConnectionHandle, mode: 0 | 1 | 2 | 3, length: number): void;
  connReceive(
    conn: ConnectionHandle,
    fileFd: number,
    algorithm: 'sha256' | 'sha512',
    maxBytes: number,
    timeoutMs: number,
    onProgress: (bytes: number) => void,
    position: number,
    hasher: HasherHandle | undefined,
  ): Promise<{ bytes: number; hex: string }>;
  connRead(conn: ConnectionHandle, limit: number, timeoutMs: number): Promise<Buffer>;
  connReadChunk(conn: ConnectionHandle, max: number, timeoutMs: number): Promise<Buffer>;
  connRelay(conn: ConnectionHandle, socketFd: number, timeoutMs: number): Promise<number>;
  connBuffered(conn: ConnectionHandle): number;
  connTakeBuffered(conn: ConnectionHandle): Buffer;
  connClose(conn: ConnectionHandle): void;
  hasher(algorithm: 'sha256' | 'sha512'): HasherHandle;
  hasherUpdate(hasher: HasherHandle, chunk: Buffer): void;
  hasherDigest(hasher: HasherHandle): string;
  dup(fd: number): number;
  releaseFreeMemory(): void;
  mallocStats(): MallocStats;
}

/** The addon, or null when it is not built, not Linux, or turned off with WHARF_ZERO_COPY=off. */
export const addon: NativeAddon | null = load();

function load(): NativeAddon | null {
  if (process.platform !== 'linux' || process.env.WHARF_ZERO_COPY === 'off') return null;
  try {
    // The same relative path from src/ (tests) and dist/ (the build).
    return createRequire(__filename)('../native/build/Release/wharf_native.node') as NativeAddon;
  } catch {
    return null;
  }
}

/** Whether the addon is here (Linux, built, not turned off with WHARF_ZERO_COPY=off). */
export function nativeIoAvailable(): boolean {
  return addon !== null;
}

/** A duplicate of `fd` (close-on-exec) the caller owns; null without the addon. */
export function dupFd(fd: number): number | null {
  return addon ? addon.dup(fd) : null;
}

/**
 * Gives the memory malloc holds free back to the system (glibc's malloc_trim): what start-up and compilations
 * freed in the middle of the heap otherwise stays resident. A few milliseconds at most; nothing without the addon.
 */
export function releaseFreeMemory(): void {
  addon?.releaseFreeMemory();
}

/** What glibc's malloc holds, in bytes (mallinfo2). */
export interface MallocStats {
  /** Heap obtained by malloc's arenas (brk and mmap'd arenas). */
  arena: number;
  /** Large blocks in mappings of their own. */
  mmapped: number;
  /** Allocated, in arenas and mappings. */
  inUse: number;
  /** Free inside the arenas (kept by malloc, resident unless trimmed). */
  free: number;
  /** Free at the top of the main heap (what trimming gives back for sure). */
  releasable: number;
}

/** malloc's own view of the process's native memory (diagnostics: native allocations vs what malloc keeps); null without the addon. */
export function mallocStats(): MallocStats | null {
  return addon ? addon.mallocStats() : null;
}
