import type { Level, LogRecord, LogSink } from './log-record';

const COLOURS: Record<Level, string> = { debug: '\x1b[90m', info: '\x1b[32m', warn: '\x1b[33m', error: '\x1b[31m', fatal: '\x1b[35m' };
const RESET = '\x1b[0m';

/**
 * The readable format (the default): `2026-12-06T03:06:08.123Z  INFO [Context] message key=value`,
 * ISO time in UTC. Colours only when the stream is a terminal, so pipes and files get plain text.
 */
export class TextSink implements LogSink {
  private readonly colour: boolean;

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.colour = out.isTTY === true && !process.env.NO_COLOR;
  }

  write(record: LogRecord): void {
    const label = record.level.toUpperCase().padStart(5);
    const level = this.colour ? `${COLOURS[record.level]}${label}${RESET}` : label;
    const context = record.context ? ` [${record.context}]` : '';
    let line = `${new Date().toISOString()} ${level}${context} ${record.msg}`;
    for (const [key, value] of Object.entries(record.fields ?? {})) {
      if (record.inMessage?.includes(key)) continue;
      if (value !== undefined && value !== '') line += ` ${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : String(value)}`;
    }
    if (record.stack) line += `\n${record.stack}`;
    this.out.write(`${line}\n`);
  }
}
