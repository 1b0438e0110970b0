import { Hasher } from '@wharf/native-io';
import { Digester } from '@wharf/oci';

/** The incremental sha256 of an upload whose every byte this process has seen, in order. */
export interface RunningHash {
  update(chunk: Buffer): void;
  /** "sha256:<hex>" of the bytes so far. */
  digest(): string;
  /** The addon's state, which a body receiving itself off the JavaScript thread continues; absent without the addon. */
  readonly native?: Hasher;
}

/** A new running sha256: kept by the addon where it is, so that appends of either kind can continue it. */
export function runningHash(): RunningHash {
  const native = Hasher.create('sha256');
  if (native) return { native, update: (chunk) => native.update(chunk), digest: () => `sha256:${native.hex()}` };
  const digester = new Digester('sha256');
  return { update: (chunk) => digester.update(chunk), digest: () => digester.digest() };
}
