// Machine facts and the printed side-by-side table.
import * as os from 'node:os';
import { runCommand } from './proc';
import type { Column, Outcome, Scenario } from './context';

export interface MachineFacts {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  wharfCommit: string | null;
}

/** A row where Wharf is behind: Wharf's value, the other column's under its name (distribution). */
export type Behind = { scenario: string; metric: string; unit: string; wharf: unknown; worsePct: number; columns?: string } & Record<string, unknown>;

export async function machineFacts({ repoRoot }: { repoRoot: string }): Promise<MachineFacts> {
  const nproc = await runCommand('nproc', [], { timeoutMs: 5000 }).then((r) => r.stdout.trim(), () => String(os.cpus().length));
  const git = await runCommand('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, timeoutMs: 5000 }).catch(() => null);
  const dirty = await runCommand('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, timeoutMs: 5000 }).catch(() => null);
  return {
    nproc: Number(nproc),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    wharfCommit: git && git.code === 0 ? `${git.stdout.trim()}${dirty && dirty.stdout.trim() ? ' (uncommitted changes)' : ''}` : null,
  };
}

function fmt(value: unknown, digits: number): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  return Number(value).toFixed(digits);
}

/** "Wharf vs Distribution" for one row; returns { text, worsePct } (worsePct > 0 when Wharf is behind). */
export function compare(w: unknown, d: unknown, better: 'lower' | 'higher'): { text: string; worsePct: number } {
  if (typeof w !== 'number' || typeof d !== 'number') return { text: '', worsePct: 0 };
  if (d === 0) return { text: w === 0 ? 'same' : '', worsePct: 0 };
  const pct = ((w - d) / Math.abs(d)) * 100;
  const worse = better === 'lower' ? pct > 0 : pct < 0;
  if (Math.abs(pct) < 3) return { text: `≈ (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%)`, worsePct: 0 };
  const ratio = w / d;
  const times = ratio >= 1.5 || ratio <= 0.67 ? ` (${ratio.toFixed(2)}x)` : '';
  return {
    text: `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%${times} ${worse ? 'WORSE' : 'better'}`,
    worsePct: worse ? Math.abs(pct) : 0,
  };
}

function pad(value: unknown, n: number, right = false): string {
  const s = String(value);
  return right ? s.padStart(n) : s.padEnd(n);
}

/** Prints one scenario block and returns the rows where Wharf is more than `threshold`% behind. */
export function printScenario(index: number, scenario: Scenario, outcome: Outcome, targets: readonly Column[], threshold = 10): Behind[] {
  const lines: string[] = [];
  lines.push('');
  lines.push(`${index}. ${scenario.title}`);
  for (const [k, v] of Object.entries(outcome.params ?? {})) lines.push(`   ${k}: ${v}`);
  for (const [k, v] of Object.entries(outcome.commands ?? {})) lines.push(`   command (${k}): ${v}`);
  const behind: Behind[] = [];
  if (outcome.rows) {
    // outcome.columns ({ name, label }[], Wharf first) overrides the hosted targets, e.g. in proxy mode.
    const wharf = targets.find((t) => t.name === 'wharf');
    const cols = outcome.columns ?? [...(wharf ? [wharf] : []), ...targets.filter((t) => t !== wharf)];
    const first = cols[0];
    if (!first) throw new Error(`${scenario.id}: a table without columns`);
    const others = cols.slice(1);
    const metricWidth = Math.max(28, ...outcome.rows.map((r) => r.metric.length + 2));
    const colWidth = Math.max(14, ...cols.map((c) => c.label.length + 2));
    lines.push(
      `   ${pad('metric', metricWidth)}${pad('unit', 7)}${cols.map((t) => pad(t.label, colWidth, true)).join('')}   ${first.label} vs ${others[0]?.label ?? ''}`,
    );
    for (const row of outcome.rows) {
      const values = cols.map((t) => outcome.results?.[t.name]?.[row.key]);
      const cmp = others.length && !row.noCompare ? compare(values[0], values[1], row.better) : { text: '', worsePct: 0 };
      lines.push(
        `   ${pad(row.metric, metricWidth)}${pad(row.unit, 7)}${values.map((v) => pad(fmt(v, row.digits), colWidth, true)).join('')}   ${cmp.text}`,
      );
      if (cmp.worsePct > threshold && others[0]) {
        behind.push({
          scenario: scenario.id,
          metric: row.metric,
          unit: row.unit,
          wharf: values[0],
          [others[0].name]: values[1],
          ...(outcome.columns ? { columns: `${first.label} vs ${others[0].label}` } : {}),
          worsePct: Math.round(cmp.worsePct * 10) / 10,
        });
      }
    }
  }
  console.log(lines.join('\n'));
  return behind;
}
