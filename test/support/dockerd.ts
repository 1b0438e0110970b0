import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, runCommand, type RunOptions, type RunResult } from './process';

/** The docker CLI to drive the private daemons with (WHARF_E2E_DOCKER_CLI overrides). */
export const DOCKER_CLI = process.env.WHARF_E2E_DOCKER_CLI ?? 'docker';

export interface DockerdOptions {
  /** Temp dir of the test; the daemon lives in <dir>/<name>. Keep it short (socket paths). */
  dir: string;
  name?: string;
  /** --registry-mirror values, e.g. http://127.0.0.1:8181 (used for Docker Hub images only). */
  registryMirrors?: string[];
  /** --insecure-registry values (127.0.0.0/8 is insecure already). */
  insecureRegistries?: string[];
}

/**
 * A private Docker daemon: its own data-root, exec-root (with its own containerd), pidfile and
 * unix socket under a temp dir, no bridge and no iptables. Several can run at once.
 */
export class Dockerd {
  readonly home: string;
  readonly socket: string;
  /** DOCKER_CONFIG of this daemon's client: `docker login` credentials stay here. */
  readonly clientConfigDir: string;
  private proc: ManagedProcess | null = null;

  private constructor(home: string) {
    this.home = home;
    this.socket = join(home, 'docker.sock');
    this.clientConfigDir = join(home, 'client');
  }

  static async start(opts: DockerdOptions): Promise<Dockerd> {
    const d = new Dockerd(join(opts.dir, opts.name ?? 'dockerd'));
    mkdirSync(d.clientConfigDir, { recursive: true });
    writeFileSync(join(d.clientConfigDir, 'config.json'), '{}');
    // An empty daemon.json so the machine's /etc/docker/daemon.json never applies.
    const daemonJson = join(d.home, 'daemon.json');
    writeFileSync(daemonJson, '{}');
    const args = [
      '--config-file', daemonJson,
      '--iptables=false',
      '--bridge=none',
      '--data-root', join(d.home, 'root'),
      '--exec-root', join(d.home, 'exec'),
      '--pidfile', join(d.home, 'dockerd.pid'),
      '--host', `unix://${d.socket}`,
    ];
    for (const m of opts.registryMirrors ?? []) args.push('--registry-mirror', m);
    for (const r of opts.insecureRegistries ?? []) args.push('--insecure-registry', r);
    const proc = ManagedProcess.start({ name: 'dockerd', command: 'dockerd', args, logFile: join(d.home, 'dockerd.log') });
    d.proc = proc;
    await proc.waitUntilReady(
      `dockerd at ${d.socket} to answer docker info`,
      async () => {
        const r = await d.docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000 });
        return r.code === 0 && r.stdout.trim() !== '';
      },
      { timeoutMs: 90_000, intervalMs: 250, undo: () => d.stop() },
    );
    return d;
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get logFile(): string {
    return join(this.home, 'dockerd.log');
  }

  /** Environment for a docker CLI talking to this daemon only. */
  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: this.host, DOCKER_CONFIG: this.clientConfigDir };
    delete env.DOCKER_CONTEXT;
    delete env.DOCKER_TLS_VERIFY;
    delete env.DOCKER_CERT_PATH;
    return env;
  }

  /** Runs the docker CLI against this daemon; never throws for a non-zero exit. */
  docker(args: string[], opts: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
    return runCommand(DOCKER_CLI, args, { timeoutMs: 300_000, ...opts, env: this.env() });
  }

  /** Runs the docker CLI and throws with its output unless it exits 0. */
  async dockerOk(args: string[], opts: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
    const r = await this.docker(args, opts);
    if (r.code !== 0) {
      throw new Error(`docker ${args.join(' ')} exited ${r.code ?? r.signal}\n${r.stdout}${r.stderr}`);
    }
    return r;
  }

  /** docker login with --password-stdin (the password never appears in argv). */
  login(registry: string, username: string, password: string): Promise<RunResult> {
    return this.docker(['login', registry, '-u', username, '--password-stdin'], { input: `${password}\n` });
  }

  /** Stops the daemon by pid (SIGTERM, then SIGKILL of its group) and unmounts anything left below its home. */
  async stop(): Promise<void> {
    if (this.proc) await this.proc.stop(30_000);
    await unmountBelow(this.home);
  }
}

async function unmountBelow(dir: string): Promise<void> {
  let mounts: string[] = [];
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .map((p) => p.replace(/\\040/g, ' '))
      .filter((p) => p === dir || p.startsWith(`${dir}/`));
  } catch {
    return;
  }
  for (const m of mounts.sort((a, b) => b.length - a.length)) {
    await runCommand('umount', ['-l', m]);
  }
}

/** The manifest digest `docker push` printed; throws when it printed none. */
export function pushedDigest(pushStdout: string): string {
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushStdout)?.[1];
  if (!digest) throw new Error(`docker push printed no digest:\n${pushStdout}`);
  return digest;
}
