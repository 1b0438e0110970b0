import { createRequire } from 'node:module';

/** A gate of the addon (gate.h): how far sendfile threads may read a file still being written. Opaque. */
export type GateHandle = object & { readonly __gate: unique symbol };

/** libs/native-io/native (module.cc and friends), built by scripts/build-native.js. */
export interface NativeAddon {
  send(socketFd: number, fileFd: number, offset: number, count: number, idleTimeoutMs: number, gate?: GateHandle): Promise<number>;
  gate(): GateHandle;
  gateSet(gate: GateHandle, readable: number): void;
  gateFail(gate: GateHandle): void;
  ingest(
    socketFd: number,
    fileFd: number,
    head: Buffer,
    total: number,
    algorithm: 'sha256' | 'sha512',
    idleTimeoutMs: number,
    onProgress: (bytesWritten: number) => void,
  ): Promise<string>;
  dup(fd: number): number;
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
