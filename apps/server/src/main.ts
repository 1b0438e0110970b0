import { ConfigError, loadConfig } from './config/config';
import { teeOutputToLogFile } from './config/log-file';
import { PortUnavailableError } from './connectors/http-server';
import { BufferReclaimer } from './runtime/buffer-reclaimer';
import { releaseFreeMemoryEvery } from './runtime/free-memory';
import { type WharfLogger, createLogger } from './logging/wharf-logger';
import { startWharf } from './wharf';

let log: WharfLogger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  log = createLogger({ logLevel: config.logLevel, logFormat: config.logFormat ?? 'text' });
  teeOutputToLogFile(config.dataDir);
  if (config.logFormat === 'json') {
    // Node prints warnings as plain text on stderr: make them JSON lines like everything else.
    process.removeAllListeners('warning');
    process.on('warning', (warning) => log?.emit({ level: 'warn', context: 'Node', msg: `${warning.name}: ${warning.message}` }));
  }
  const wharf = await startWharf(config);
  const reclaimer = new BufferReclaimer();
  const stopReleasing = releaseFreeMemoryEvery();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log?.emit({ level: 'info', context: 'Wharf', msg: `${signal} received, stopping` });
    reclaimer.stop();
    stopReleasing();
    wharf.close().then(
      () => process.exit(0),
      (err: unknown) => {
        fatal(err);
        process.exit(1);
      },
    );
  };
  // SIGHUP: the certificate was renewed (WHARF_TLS_CERTIFICATE, WHARF_TLS_KEY); without TLS it is ignored (not the default exit).
  process.on('SIGHUP', () => {
    try {
      if (wharf.reloadTls() === null) log?.emit({ level: 'info', context: 'Wharf', msg: 'SIGHUP received: no TLS certificate is configured, nothing to reload' });
    } catch (err) {
      log?.emit({ level: 'error', context: 'Wharf', msg: `SIGHUP: the TLS certificate was not reloaded, the previous one stays: ${(err as Error).message}` });
    }
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Mistakes of the operator get one line that says what to change; anything else its stack. */
function fatal(err: unknown): void {
  // Before the configuration is read, its log format is unknown: plain text on stderr.
  if (err instanceof ConfigError || !log) return void console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  if (err instanceof PortUnavailableError) return log.emit({ level: 'fatal', context: 'Wharf', msg: `cannot start: ${err.message} (WHARF_PORT, WHARF_HOST)` });
  const error = err instanceof Error ? err : new Error(String(err));
  log.emit({ level: 'fatal', context: 'Wharf', msg: error.message, ...(error.stack ? { stack: error.stack } : {}) });
}

main().catch((err: unknown) => {
  fatal(err);
  process.exit(1);
});
