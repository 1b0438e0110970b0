import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GiveUp, type WaitOptions, waitFor } from './wait';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartProcessOptions {
  /** Shown in errors and log separators. */
  name: string;
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended to this file. */
  logFile: string;
}

const live = new Set<ManagedProcess>();

// Last resort when the test worker exits without running afterAll: nothing may outlive it.
process.once('exit', () => {
  for (const p of live) p.killGroupSync('SIGKILL');
});

/**
 * A long-running child process (a daemon) whose output goes to a log file. It gets its own
 * process group, so a forced stop also reaches helpers it started (dockerd's containerd).
 */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | null = null;
  private readonly child: ChildProcess;

  private constructor(opts: StartProcessOptions) {
    this.name = opts.name;
    this.logFile = opts.logFile;
    mkdirSync(dirname(opts.logFile), { recursive: true });
    const fd = openSync(opts.logFile, 'a');
    writeSync(fd, `\n===== ${new Date().toISOString()} start ${opts.command} ${(opts.args ?? []).join(' ')}\n`);
    try {
      this.child = spawn(opts.command, opts.args ?? [], {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    this.child.on('error', () => {
      /* reported through pid/exit below; never an unhandled 'error' event */
    });
    if (this.child.pid === undefined) {
      throw new Error(`${opts.name}: could not start ${opts.command} (installed? see scripts/install-test-deps.sh)`);
    }
    this.pid = this.child.pid;
    live.add(this);
    this.exited = new Promise<ExitInfo>((resolveExit) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        resolveExit(this.exitInfo);
      });
      this.child.once('error', () => {
        if (this.exitInfo === null) {
          this.exitInfo = { code: null, signal: null };
          live.delete(this);
          resolveExit(this.exitInfo);
        }
      });
    });
  }

  static start(opts: StartProcessOptions): ManagedProcess {
    return new ManagedProcess(opts);
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  get exit(): ExitInfo | null {
    return this.exitInfo;
  }

  /** SIGTERM to the process; if it has not exited after `graceMs`, SIGKILL to its whole group. */
  async stop(graceMs = 15_000): Promise<ExitInfo> {
    if (!this.running) return this.exitInfo!;
    this.signal('SIGTERM');
    const timedOut = Symbol('timeout');
    let timer: NodeJS.Timeout | undefined;
    const first = await Promise.race([
      this.exited,
      new Promise<typeof timedOut>((r) => (timer = setTimeout(() => r(timedOut), graceMs))),
    ]);
    clearTimeout(timer);
    if (first !== timedOut) {
      this.killGroupSync('SIGKILL'); // helpers left behind by a clean exit, if any
      return first;
    }
    return this.kill9();
  }

  /** SIGKILL, no grace: simulates a crash. Also reaps the process group. */
  async kill9(): Promise<ExitInfo> {
    if (this.running) this.signal('SIGKILL');
    const info = await this.exited;
    this.killGroupSync('SIGKILL');
    return info;
  }

  signal(sig: NodeJS.Signals): void {
    try {
      process.kill(this.pid, sig);
    } catch {
      /* already gone */
    }
  }

  killGroupSync(sig: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, sig);
    } catch {
      /* no such group */
    }
  }

  /**
   * Polls `ready` (as waitFor) until the daemon answers, giving up at once if it exits. When it never gets
   * there the daemon is killed (or `undo` runs instead) and the error carries the tail of its log.
   */
  async waitUntilReady<T>(
    what: string,
    ready: () => Promise<T | undefined | false> | T | undefined | false,
    opts: WaitOptions & { tailLines?: number; undo?: () => Promise<unknown> } = {},
  ): Promise<T> {
    try {
      return await waitFor(
        what,
        () => {
          if (!this.running) throw new GiveUp(`${this.name} exited (${JSON.stringify(this.exit)}) before it was ready`);
          return ready();
        },
        opts,
      );
    } catch (err) {
      await (opts.undo ? opts.undo() : this.kill9());
      throw this.failure((err as Error).message, opts.tailLines);
    }
  }

  /** An error for a daemon that did not come up: `message` and the tail of its log. */
  failure(message: string, tailLines = 40): Error {
    return new Error(`${message}\n--- ${this.logFile} (tail) ---\n${this.logTail(tailLines)}`);
  }

  /** The last `lines` lines of the log, for error messages. */
  logTail(lines = 40): string {
    try {
      const text = readFileSync(this.logFile, 'utf8');
      return text.split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Buffer;
  timeoutMs?: number;
}

/** Runs a short command to completion and captures its output. Never throws for a non-zero exit. */
export function runCommand(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    }
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${command}: ${e.message} (installed? see scripts/install-test-deps.sh)`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** Like runCommand, but throws with the command's output when it does not exit 0. */
export async function runChecked(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const result = await runCommand(command, args, opts);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.code ?? result.signal}\n` +
        `stdout: ${result.stdout.trim()}\nstderr: ${result.stderr.trim()}`,
    );
  }
  return result;
}
