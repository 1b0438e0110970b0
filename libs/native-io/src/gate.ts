import { addon, type GateHandle } from './addon';

/**
 * How far sendfile(2) readers may go in a file still being written, mirrored into the addon so that its
 * threads can wait on it. Whoever writes the file decides the bound; this only carries it.
 */
export class Gate {
  /** null without the addon (then nothing can follow the file with sendfile). */
  readonly handle: GateHandle | null = addon?.gate() ?? null;

  /** Readers may now send the first `readable` bytes. */
  set(readable: number): void {
    if (this.handle) addon!.gateSet(this.handle, readable);
  }

  /** The write failed: waiting readers stop (their send fails with code 'ESOURCE'). */
  fail(): void {
    if (this.handle) addon!.gateFail(this.handle);
  }
}
