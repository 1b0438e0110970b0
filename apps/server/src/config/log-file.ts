import { type WriteStream, createWriteStream, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAX_BYTES = 50 * 1024 * 1024;
/** Output waiting for a slow or failing disk is dropped past this, rather than held in memory. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** After a failure (ENOSPC, EIO...), how long the file is left alone before it is opened again. */
const RETRY_AFTER_MS = 30_000;

/** Set while writing what must reach the terminal but never the file (the generated admin password). */
let terminalOnly = false;

/** Writes `text` to stdout without copying it to the log file. */
export function writeToTerminalOnly(text: string): void {
  terminalOnly = true;
  try {
    process.stdout.write(text);
  } finally {
    terminalOnly = false;
  }
}

export interface LogFileOptions {
  /** Wait this long after a failure before trying the file again (tests). */
  retryAfterMs?: number;
}

export interface LogFile {
  /** The file is being written (false while it is failing, e.g. on a full disk). */
  readonly healthy: boolean;
  /** Stops copying output to the file and puts stdout/stderr back as they were. */
  close(): void;
}

/**
 * Copies everything the process prints to `<dataDir>/logs/wharf.log` as well (docs/operations.md: the data
 * directory holds the logs). The previous file is kept as wharf.log.1 once it passes 50 MiB.
 *
 * The file is a copy: it may never take the process down. When it cannot be written (a full disk
 * is the usual cause) the failure is said once on stderr, the file is left alone for a while, then
 * tried again; the terminal keeps everything meanwhile.
 */
export function teeOutputToLogFile(dataDir: string, options: LogFileOptions = {}): LogFile {
  const retryAfterMs = options.retryAfterMs ?? RETRY_AFTER_MS;
  const file = join(dataDir, 'logs', 'wharf.log');
  const originals = [process.stdout, process.stderr].map((stream) => ({ stream, write: stream.write }));
  const printError = originals[1]!.write.bind(process.stderr) as (text: string) => boolean;
  let sink: WriteStream | null = null;
  let failedAt: number | null = null;

  const fail = (err: NodeJS.ErrnoException) => {
    if (failedAt === null) printError(`log file ${file} cannot be written (${err.code ?? err.message}); logging to the terminal only\n`);
    failedAt = Date.now();
    const broken = sink;
    sink = null;
    broken?.destroy();
  };
  const open = (): WriteStream | null => {
    try {
      mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });
      try {
        if (statSync(file).size > MAX_BYTES) renameSync(file, `${file}.1`);
      } catch {
        // no log file yet
      }
      const stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
      stream.on('error', fail);
      return stream;
    } catch (err) {
      fail(err as NodeJS.ErrnoException);
      return null;
    }
  };
  const current = (): WriteStream | null => {
    if (sink) return sink;
    if (failedAt !== null && Date.now() - failedAt < retryAfterMs) return null;
    sink = open();
    return sink;
  };
  sink = open();

  // ANSI colours help a terminal, not a file.
  const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  const plain = (chunk: unknown) => String(chunk).replace(ansi, '');
  for (const { stream, write } of originals) {
    const terminal = write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const out = terminalOnly ? null : current();
      if (out && out.writableLength < MAX_PENDING_BYTES) {
        const wasFailing = failedAt !== null;
        out.write(plain(chunk), (err) => {
          if (!err && wasFailing && sink === out && failedAt !== null) {
            failedAt = null;
            process.stderr.write(`log file ${file} is written again\n`);
          }
        });
      }
      return terminal(chunk, ...rest);
    }) as typeof stream.write;
  }
  return {
    get healthy() {
      return failedAt === null && sink !== null;
    },
    close() {
      for (const { stream, write } of originals) stream.write = write;
      sink?.end();
      sink = null;
    },
  };
}
