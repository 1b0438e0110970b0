// Small measuring helpers.
import { runCommand } from './proc';

/** Megabytes (10^6 bytes). */
export function mb(bytes: number): number {
  return bytes / 1e6;
}

/** Flushes dirty pages so one server's writes do not slow the next measurement. */
export async function syncDisks(): Promise<void> {
  try {
    await runCommand('sync', [], { timeoutMs: 60_000 });
  } catch {
    // not measured more precisely without it
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
