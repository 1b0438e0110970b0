import { createWriteStream, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAX_BYTES = 50 * 1024 * 1024;

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

/**
 * Copies everything the process prints to `<dataDir>/logs/wharf.log` as well (docs/operations.md: the data
 * directory holds the logs). The previous file is kept as wharf.log.1 once it passes 50 MiB.
 */
export function teeOutputToLogFile(dataDir: string): void {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'wharf.log');
  try {
    if (statSync(file).size > MAX_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no log file yet
  }
  const sink = createWriteStream(file, { flags: 'a', mode: 0o600 });
  // ANSI colours help a terminal, not a file.
  const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  const plain = (chunk: unknown) => String(chunk).replace(ansi, '');
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!terminalOnly) sink.write(plain(chunk));
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}
