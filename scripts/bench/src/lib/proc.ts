// Child processes started by the benchmark: every one is tracked by pid and stopped at the end,
// on success, on error and on Ctrl-C / SIGTERM (see installCleanup).
import { type ChildProcess, spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A long-running process the bench started: its pid, how it exited (null while running), a promise of that. */
export type TrackedChild = ChildProcess & { readonly pid: number; exitInfo: ExitInfo | null; exited: Promise<ExitInfo> };

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Map<number, { name: string; stop: () => Promise<void> }>();
const tempDirs = new Set<string>();
let cleaning: Promise<void> | null = null;
let stopping = false;

/** True once a signal or the deadline asked the benchmark to stop: callers bail out without reporting. */
export function isStopping(): boolean {
  return stopping;
}

export function log(...args: unknown[]): void {
  console.error('[bench]', ...args);
}

/** The message of a thrown value (an Error's, or the value as text). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Starts a long-running process with stdout/stderr appended to `logFile`. */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  { env, cwd, logFile }: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string } = {},
): TrackedChild {
  const out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
  });
  if (typeof out === 'number') fs.closeSync(out);
  const pid = child.pid;
  if (!pid) throw new Error(`could not start ${name} (${command})`);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('exit', (code, signal) => {
      tracked.exitInfo = { code, signal };
      children.delete(pid);
      resolve(tracked.exitInfo);
    });
  });
  const tracked: TrackedChild = Object.assign(child, { pid, exitInfo: null, exited });
  children.set(pid, { name, stop: () => stopProcess(tracked) });
  child.on('error', (err) => log(`${name}: ${err.message}`));
  return tracked;
}

/** Runs a short command to completion, collecting its output; killed after `timeoutMs`. */
export function runCommand(
  command: string,
  args: readonly string[],
  { timeoutMs = 60_000, env, cwd }: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    // Stopped at cleanup with SIGTERM, not waited for (it is killed at its own timeout anyway).
    if (pid !== undefined) children.set(pid, { name: command, stop: async () => void signalQuietly(pid, 'SIGTERM') });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stopping = true;
      log(`${command} did not finish within ${timeoutMs} ms, killing pid ${pid}`);
      if (pid !== undefined) signalQuietly(pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      if (pid !== undefined) children.delete(pid);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) children.delete(pid);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** process.kill that ignores a process already gone; false when it could not be signalled. */
function signalQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs` if the process is still there. */
export async function stopProcess(child: TrackedChild | null | undefined, graceMs = 5000): Promise<void> {
  if (!child || child.exitInfo) return;
  if (!signalQuietly(child.pid, 'SIGTERM')) return;
  const timeout = new Promise<'timeout'>((r) => setTimeout(r, graceMs, 'timeout'));
  if ((await Promise.race([child.exited, timeout])) === 'timeout') {
    signalQuietly(child.pid, 'SIGKILL');
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 2000))]);
  }
}

export function trackTempDir(dir: string): string {
  tempDirs.add(dir);
  return dir;
}

export async function cleanup(): Promise<void> {
  if (!cleaning) {
    cleaning = (async () => {
      await Promise.all([...children.values()].map(({ stop }) => stop()));
      for (const dir of tempDirs) {
        try {
          fs.rmSync(dir, { recursive: true, force: true });
        } catch (err) {
          log(`could not remove ${dir}: ${errorMessage(err)}`);
        }
      }
      tempDirs.clear();
    })();
  }
  return cleaning;
}

/** Last resort on process exit: synchronous SIGKILL of anything still tracked, removal of temp dirs. */
function killAllSync(): void {
  for (const pid of children.keys()) signalQuietly(pid, 'SIGKILL');
  for (const dir of tempDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // exiting anyway
    }
  }
}

export function installCleanup({ deadlineMs }: { deadlineMs?: number } = {}): void {
  const onSignal = (signal: NodeJS.Signals) => {
    stopping = true;
    log(`${signal}: stopping every process the benchmark started`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  process.on('exit', killAllSync);
  if (deadlineMs) {
    const timer = setTimeout(() => {
      stopping = true;
      log(`the benchmark exceeded its ${Math.round(deadlineMs / 1000)} s limit; stopping`);
      void cleanup().finally(() => process.exit(124));
    }, deadlineMs);
    timer.unref();
  }
}

export function which(command: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}
