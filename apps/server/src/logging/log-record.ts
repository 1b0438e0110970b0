/** Wharf's log levels, lowest first (WHARF_LOG_LEVEL names the lowest one written). */
export const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

/** One event, before it is formatted as text or JSON. */
export interface LogRecord {
  level: Level;
  /** Where it comes from: a Nest context (`Wharf`, `Proxy`, `HTTP` for the access log ...). */
  context?: string;
  msg: string;
  /** Structured fields (the access log's method, path, status ...): JSON keys, or `key=value` in text. */
  fields?: Record<string, unknown>;
  /** Fields that `msg` already shows: the text format leaves them out (JSON keeps every field). */
  inMessage?: readonly string[];
  /** An error's stack. */
  stack?: string;
}

/** Where formatted records go: one line each. */
export interface LogSink {
  write(record: LogRecord): void;
}
