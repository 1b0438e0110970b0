import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { LogRecord, LogSink } from './log-record';

/**
 * WHARF_LOG_FORMAT=json: one JSON object per line (pino), `time` in ISO 8601 (UTC), `level` by name,
 * `context`, `msg` and the record's fields as keys. Written to `out` (stdout, which the log file copies).
 */
export class JsonSink implements LogSink {
  private readonly pino: Logger;

  constructor(out: NodeJS.WritableStream) {
    // Loaded only in JSON mode: text logs (the default) do without it.
    const pino = createRequire(__filename)('pino') as typeof import('pino');
    this.pino = pino(
      {
        level: 'debug',
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      out,
    );
  }

  write(record: LogRecord): void {
    const fields: Record<string, unknown> = { ...(record.context ? { context: record.context } : {}), ...record.fields };
    if (record.stack) fields.stack = record.stack;
    this.pino[record.level](fields, record.msg);
  }
}
