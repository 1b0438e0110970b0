import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor' | 'major' }) => void;

export interface BufferReclaimerOptions {
  /** Collect once this many bytes of ArrayBuffers appeared since the last look (default 8 MiB). */
  thresholdBytes?: number;
  /** How often to look (default 25 ms). */
  intervalMs?: number;
  /** How to read the ArrayBuffer total (tests replace it). */
  arrayBufferBytes?: () => number;
  /** The collector (tests replace it); default V8's own, exposed at start. */
  collect?: Collect;
}

/**
 * Frees the buffers of streamed bodies soon after they die, so memory stays flat while layers stream.
 *
 * Node reads every socket into a new 64 KiB buffer, and V8 frees a dead buffer only at a garbage
 * collection; collections are paced by JavaScript allocation, which the streaming paths barely do.
 * So an upload or a proxy fill leaves tens of MiB of dead buffers behind until V8's external-memory
 * limit forces full (mark-compact) collections, about one per 15 MiB streamed. This looks at the
 * ArrayBuffer total every 25 ms and, when it grew by 8 MiB, runs a young-generation collection
 * (~0.1 ms), where the just-dead buffers are. Measured with `npm run bench` (docs/benchmarks.md); why: docs/decisions/0003.
 */
export class BufferReclaimer {
  private readonly threshold: number;
  private readonly read: () => number;
  private readonly collect: Collect;
  private readonly timer: NodeJS.Timeout;
  private baseline: number;
  private runs = 0;

  constructor(options: BufferReclaimerOptions = {}) {
    this.threshold = options.thresholdBytes ?? 8 * 1024 * 1024;
    this.read = options.arrayBufferBytes ?? (() => process.memoryUsage().arrayBuffers);
    this.collect = options.collect ?? exposeCollector();
    this.baseline = this.read();
    this.timer = setInterval(() => this.check(), options.intervalMs ?? 25);
    this.timer.unref();
  }

  /** Young-generation collections run so far. */
  get collections(): number {
    return this.runs;
  }

  check(): void {
    const now = this.read();
    if (now - this.baseline < this.threshold) {
      // Follow the total down (buffers freed by V8's own collections), never up: growth is what counts.
      this.baseline = Math.min(this.baseline, now);
      return;
    }
    this.collect({ type: 'minor' });
    this.runs += 1;
    this.baseline = this.read();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** V8's collector, which Node hides unless started with --expose-gc; the flag can be set at run time. */
function exposeCollector(): Collect {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as Collect;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as Collect;
}
