import { releaseFreeMemory } from '@wharf/native-io';

/**
 * Gives the memory malloc holds free back to the system now and every `intervalMs`: start-up, the first calls of
 * each code path (V8 compiles them lazily, in zones freed afterwards) and bursts of requests leave free memory in
 * the middle of malloc's heap, which glibc does not return by itself. About 4-5 MiB of RSS after start-up
 * (docs/decisions/0005). Returns the function that stops it.
 */
export function releaseFreeMemoryEvery(intervalMs = 60_000): () => void {
  releaseFreeMemory();
  const timer = setInterval(releaseFreeMemory, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
