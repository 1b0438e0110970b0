import type { LoggerService } from '@nestjs/common';
import { JsonSink } from './json-sink';
import { LEVELS, type Level, type LogRecord, type LogSink } from './log-record';
import { TextSink } from './text-sink';

/** Nest's start-up chatter (modules loaded, the ~45 routes mapped): useful when debugging, noise otherwise. */
const START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * Wharf's logger: Nest's LoggerService (so every `new Logger(context)` lands here) writing to one sink,
 * text or JSON. Messages may be objects (`{ msg, ...fields }`) for structured events such as the access log.
 */
export class WharfLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    level: Level,
    private readonly sink: LogSink,
  ) {
    this.threshold = LEVELS.indexOf(level);
  }

  enabled(level: Level): boolean {
    return LEVELS.indexOf(level) >= this.threshold;
  }

  /** Writes one record if its level is enabled (the access log calls this directly). */
  emit(record: LogRecord): void {
    if (this.enabled(record.level)) this.sink.write(record);
  }

  log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    this.record(context !== undefined && START_UP_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }

  error(message: unknown, ...params: unknown[]): void {
    // Nest calls error(message, stack?, context?).
    const context = params.length >= 2 ? contextOf(params) : params.length === 1 && !looksLikeStack(params[0]) ? contextOf(params) : undefined;
    const stack = params.find(looksLikeStack) as string | undefined;
    this.record('error', message, context, stack ?? (message instanceof Error ? message.stack : undefined));
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.record('warn', message, contextOf(params));
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.record('debug', message, contextOf(params));
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.record('debug', message, contextOf(params));
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.record('fatal', message, contextOf(params));
  }

  private record(level: Level, message: unknown, context: string | undefined, stack?: string): void {
    if (!this.enabled(level)) return;
    const base = { level, ...(context !== undefined ? { context } : {}), ...(stack ? { stack } : {}) };
    if (message instanceof Error) return this.sink.write({ ...base, msg: message.message });
    if (message !== null && typeof message === 'object') {
      const { msg, message: text, ...fields } = message as Record<string, unknown>;
      return this.sink.write({ ...base, msg: String(msg ?? text ?? ''), fields });
    }
    this.sink.write({ ...base, msg: String(message) });
  }
}

function contextOf(params: unknown[]): string | undefined {
  const last = params[params.length - 1];
  return typeof last === 'string' ? last : undefined;
}

function looksLikeStack(value: unknown): boolean {
  return typeof value === 'string' && /\n\s+at /.test(value);
}

/** The logger of WHARF_LOG_FORMAT and WHARF_LOG_LEVEL, writing to `out` (stdout). */
export function createLogger(options: { logLevel: Level; logFormat: 'text' | 'json' }, out: NodeJS.WritableStream = process.stdout): WharfLogger {
  return new WharfLogger(options.logLevel, options.logFormat === 'json' ? new JsonSink(out) : new TextSink(out));
}
