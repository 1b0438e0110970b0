import { ConfigError, loadConfig } from './config/config';
import { teeOutputToLogFile } from './config/log-file';
import { PortUnavailableError } from './connectors/http-server';
import { BufferReclaimer } from './runtime/buffer-reclaimer';
import { startWharf } from './wharf';

async function main(): Promise<void> {
  const config = loadConfig();
  teeOutputToLogFile(config.dataDir);
  const wharf = await startWharf(config);
  const reclaimer = new BufferReclaimer();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, stopping`);
    reclaimer.stop();
    wharf.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  // Mistakes of the operator get one line that says what to change; anything else its stack.
  if (err instanceof ConfigError) console.error(`configuration error: ${err.message}`);
  else if (err instanceof PortUnavailableError) console.error(`cannot start: ${err.message} (WHARF_PORT, WHARF_HOST)`);
  else console.error(err);
  process.exit(1);
});
