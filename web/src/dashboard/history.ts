/** Cache hit ratio samples per proxy over this browser session (kept in sessionStorage, capped). */

export interface RatioSample {
  /** Epoch milliseconds. */
  t: number;
  hits: number;
  misses: number;
}

const KEY = 'wharf.hitRatio';
const MAX_SAMPLES = 360; // one hour at one sample per 10 s

function read(storage: Storage): Record<string, RatioSample[]> {
  try {
    const parsed = JSON.parse(storage.getItem(KEY) ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, RatioSample[]>) : {};
  } catch {
    return {};
  }
}

export function loadSamples(name: string, storage: Storage = window.sessionStorage): RatioSample[] {
  const all = read(storage)[name];
  return Array.isArray(all) ? all : [];
}

export function recordSample(name: string, sample: RatioSample, storage: Storage = window.sessionStorage): RatioSample[] {
  const all = read(storage);
  const list = [...(all[name] ?? [])];
  const last = list[list.length - 1];
  // Counters went down: the server restarted; start the series again.
  if (last && (sample.hits < last.hits || sample.misses < last.misses)) list.length = 0;
  list.push(sample);
  all[name] = list.slice(-MAX_SAMPLES);
  try {
    storage.setItem(KEY, JSON.stringify(all));
  } catch {
    // storage full or blocked: the chart just shows fewer points
  }
  return all[name]!;
}

/** Hit ratio over the whole counter lifetime, or null before the first request. */
export function hitRatio(hits: number, misses: number): number | null {
  const total = hits + misses;
  return total === 0 ? null : hits / total;
}

/** The cumulative ratio at each sample, for the sparkline (samples before any request are skipped). */
export function ratioSeries(samples: RatioSample[]): number[] {
  return samples.map((s) => hitRatio(s.hits, s.misses)).filter((r): r is number => r !== null);
}
