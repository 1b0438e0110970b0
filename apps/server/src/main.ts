import { ConfigError, loadConfig } from './config/config';
import { teeOutputToLogFile } from './config/log-file';
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
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
