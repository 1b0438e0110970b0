// Resident memory of an idle server: a fresh Wharf (with its hosted repository created, nothing pushed) and a
// fresh Distribution, measured once their CPU is quiet after start-up and again a minute later (after Wharf's
// periodic malloc_trim, docs/decisions/0005). Where it goes, for both processes the same way (/proc/<pid>/smaps,
// lib/smaps.ts), and for Wharf from inside (test/support/memory-probe.cjs, loaded with NODE_OPTIONS=--require
// into this scenario's Wharf only: process.memoryUsage(), V8's heap spaces, the modules loaded).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startDistribution, startWharf } from '../lib/servers';
import { readStatus, waitCpuQuiet, round } from '../lib/rss';
import { residentByMapping } from '../lib/smaps';
import { sleep } from '../lib/measure';
import type { Results, Row, Scenario } from '../lib/context';

/** What test/support/memory-probe.cjs writes (the parts read here). */
interface ProbeReport {
  memoryUsage: NodeJS.MemoryUsage;
  modules: number;
  packages: string[];
  heapSpaces: Record<string, { size: number; used: number }>;
}

const MiB = 1024 * 1024;
const TARGET_MIB = 64;

const scenario: Scenario = {
  id: 'idle-rss',
  title: 'Idle resident memory of a fresh server (and where it goes)',
  async run(ctx) {
    const laterS = ctx.options.idleLaterS;
    const dir = path.join(ctx.workDir, 'idle');
    fs.mkdirSync(dir, { recursive: true });
    const probeFile = path.join(dir, 'probe.json');
    const probe = path.join(ctx.repoRoot, 'test/support/memory-probe.cjs');
    const [distribution, wharf] = await Promise.all([
      startDistribution({ workDir: dir, logDir: ctx.logDir, id: 'distribution-idle', label: 'Distribution (idle)' }),
      startWharf({
        repoRoot: ctx.repoRoot,
        workDir: dir,
        logDir: ctx.logDir,
        nodeArgs: ctx.wharfNodeArgs,
        env: { ...ctx.wharfEnv, NODE_OPTIONS: `--require ${probe}`, WHARF_MEMORY_PROBE_FILE: probeFile },
        id: 'wharf-idle',
        label: 'Wharf (idle)',
      }),
    ]);
    const targets = [wharf, distribution];
    ctx.extraLogs.push(...targets.map((t) => ({ label: t.label, file: t.logFile })));
    const wharfResults: Record<string, unknown> = {};
    const results: Results = { wharf: wharfResults, distribution: {} };
    let packageNames: string[] | undefined;
    let laterHeapSpaces: Record<string, string> | undefined;
    try {
      const read = async (when: 'start' | 'later') => {
        for (const t of targets) await waitCpuQuiet(t.pid, { windowMs: 1000, maxCpuS: 0.01, timeoutMs: 30_000 });
        for (const t of targets) {
          const m = residentByMapping(t.pid);
          const r = (results[t.name] ??= {});
          r[`${when}_rssMiB`] = round((readStatus(t.pid).rssKiB ?? 0) / 1024);
          r[`${when}_programMiB`] = round(m.programKiB / 1024);
          r[`${when}_librariesMiB`] = round(m.librariesKiB / 1024);
          r[`${when}_mallocBrkMiB`] = round(m.mallocBrkKiB / 1024);
          r[`${when}_otherAnonymousMiB`] = round(m.otherAnonymousKiB / 1024);
          r[`${when}_otherFilesMiB`] = round(m.otherFilesKiB / 1024);
        }
        const inside = await askProbe(wharf.pid, probeFile);
        if (inside) {
          const u = inside.memoryUsage;
          Object.assign(wharfResults, {
            [`${when}_heapTotalMiB`]: round(u.heapTotal / MiB),
            [`${when}_heapUsedMiB`]: round(u.heapUsed / MiB),
            [`${when}_externalMiB`]: round(u.external / MiB),
            [`${when}_arrayBuffersMiB`]: round(u.arrayBuffers / MiB),
            [`${when}_modules`]: inside.modules,
            [`${when}_packages`]: inside.packages.length,
          });
          const heapSpaces = Object.fromEntries(Object.entries(inside.heapSpaces).map(([k, v]) => [k, `${round(v.used / MiB)}/${round(v.size / MiB)} MiB`]));
          wharfResults[`${when}_heapSpaces`] = heapSpaces;
          if (when === 'later') laterHeapSpaces = heapSpaces;
          packageNames = inside.packages;
          wharfResults.packageNames = packageNames;
        }
        ctx.log(`idle (${when}): Wharf ${String(wharfResults[`${when}_rssMiB`])} MiB, Distribution ${String(results.distribution?.[`${when}_rssMiB`])} MiB`);
      };
      await read('start');
      await sleep(laterS * 1000);
      await read('later');
    } finally {
      await Promise.all(targets.map((t) => t.stop()));
    }
    const rows: Row[] = [];
    for (const [when, label] of [
      ['start', 'after start-up'],
      ['later', `${laterS} s later`],
    ] as const) {
      rows.push(
        { metric: `${label}: RSS`, unit: 'MiB', key: `${when}_rssMiB`, better: 'lower', digits: 1 },
        { metric: `${label}: program file (node / registry binary)`, unit: 'MiB', key: `${when}_programMiB`, better: 'lower', digits: 1, noCompare: true },
        { metric: `${label}: shared libraries, native modules`, unit: 'MiB', key: `${when}_librariesMiB`, better: 'lower', digits: 1, noCompare: true },
        { metric: `${label}: malloc brk heap`, unit: 'MiB', key: `${when}_mallocBrkMiB`, better: 'lower', digits: 1, noCompare: true },
        { metric: `${label}: other anonymous (V8 heap, mmap, stacks)`, unit: 'MiB', key: `${when}_otherAnonymousMiB`, better: 'lower', digits: 1, noCompare: true },
        { metric: `${label}: V8 heap committed`, unit: 'MiB', key: `${when}_heapTotalMiB`, better: 'lower', digits: 1, noCompare: true },
        { metric: `${label}: V8 heap used`, unit: 'MiB', key: `${when}_heapUsedMiB`, better: 'lower', digits: 1, noCompare: true },
        { metric: `${label}: V8 external (buffers, C++ objects)`, unit: 'MiB', key: `${when}_externalMiB`, better: 'lower', digits: 1, noCompare: true },
        { metric: `${label}: CommonJS modules loaded`, unit: '', key: `${when}_modules`, better: 'lower', digits: 0, noCompare: true },
      );
    }
    return {
      params: {
        servers: 'a fresh Wharf (npm start settings, SQLite, a hosted repository created through the REST API, nothing pushed) and a fresh Distribution, started for this scenario',
        when: `once the CPU of both has been quiet for 1 s after start-up, and ${laterS} s later`,
        breakdown: '/proc/<pid>/smaps Rss by mapping (both processes); V8 heap, external memory and modules from inside Wharf (test/support/memory-probe.cjs via NODE_OPTIONS, this scenario only)',
        heapSpaces: JSON.stringify(laterHeapSpaces ?? {}),
        packages: `${packageNames?.length ?? '?'} npm packages loaded: ${(packageNames ?? []).join(' ')}`,
        target: `issue 19: idle RSS under ${TARGET_MIB} MiB (docs/decisions/0005: the fixed stack alone takes ~88 MiB)`,
      },
      results,
      rows,
    };
  },
};
export default scenario;

/** The probe's report (SIGUSR2 -> JSON file), or null when it does not come. */
async function askProbe(pid: number, file: string): Promise<ProbeReport | null> {
  fs.rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as ProbeReport;
    } catch {
      // not written yet
    }
  }
  return null;
}
