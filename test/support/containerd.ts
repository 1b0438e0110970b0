import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, runCommand, type RunResult } from './process';

export interface ContainerdOptions {
  /** Temp dir of the test; the daemon lives in <dir>/<name>. Keep it short (socket paths). */
  dir: string;
  name?: string;
}

/** One `[host."URL"]` entry of a hosts.toml: a mirror tried before the registry's own server. */
export interface MirrorHost {
  /** e.g. http://127.0.0.1:8181 (a Wharf group's connector). */
  url: string;
  capabilities?: Array<'pull' | 'resolve' | 'push'>;
  skipVerify?: boolean;
}

/**
 * A private containerd (Debian's package): its own root, state, gRPC/ttrpc sockets and config under a
 * temp dir, the CRI plugin off, images pulled with `ctr` into a namespace of its own and unpacked with
 * the native snapshotter (no mounts). Registry mirrors come from a hosts dir (`--hosts-dir`), the
 * format of /etc/containerd/certs.d.
 */
export class Containerd {
  readonly home: string;
  readonly socket: string;
  readonly hostsDir: string;
  readonly namespace = 'wharf-e2e';
  private proc: ManagedProcess | null = null;

  private constructor(home: string) {
    this.home = home;
    this.socket = join(home, 'containerd.sock');
    this.hostsDir = join(home, 'certs.d');
  }

  static async start(opts: ContainerdOptions): Promise<Containerd> {
    const c = new Containerd(join(opts.dir, opts.name ?? 'containerd'));
    mkdirSync(c.hostsDir, { recursive: true });
    const config = join(c.home, 'config.toml');
    writeFileSync(
      config,
      [
        'version = 2',
        `root = ${JSON.stringify(join(c.home, 'root'))}`,
        `state = ${JSON.stringify(join(c.home, 'state'))}`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = ${JSON.stringify(c.socket)}`,
        '[ttrpc]',
        `  address = ${JSON.stringify(join(c.home, 'containerd.ttrpc.sock'))}`,
        '[debug]',
        '  address = ""',
        '',
      ].join('\n'),
    );
    const proc = ManagedProcess.start({
      name: 'containerd',
      command: 'containerd',
      args: ['--config', config],
      logFile: join(c.home, 'containerd.log'),
    });
    c.proc = proc;
    await proc.waitUntilReady(
      `containerd at ${c.socket} to answer ctr version`,
      async () => {
        const r = await runCommand('ctr', ['--address', c.socket, 'version'], { timeoutMs: 10_000 });
        return r.code === 0 && /Server:/.test(r.stdout);
      },
      { timeoutMs: 60_000, intervalMs: 250, undo: () => c.stop() },
    );
    return c;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get logFile(): string {
    return join(this.home, 'containerd.log');
  }

  /**
   * Writes <hostsDir>/<registry>/hosts.toml: `server` is the registry's own endpoint (tried last),
   * the hosts are mirrors tried first, in order. `registry` is the host as image references spell it
   * (docker.io, quay.io, registry.internal:5000).
   */
  writeHostsToml(registry: string, server: string, hosts: MirrorHost[]): string {
    const dir = join(this.hostsDir, registry);
    mkdirSync(dir, { recursive: true });
    const lines = [`server = ${JSON.stringify(server)}`, ''];
    for (const h of hosts) {
      lines.push(`[host.${JSON.stringify(h.url)}]`);
      lines.push(`  capabilities = ${JSON.stringify(h.capabilities ?? ['pull', 'resolve'])}`);
      if (h.skipVerify) lines.push('  skip_verify = true');
      lines.push('');
    }
    const file = join(dir, 'hosts.toml');
    writeFileSync(file, lines.join('\n'));
    return file;
  }

  /** Runs ctr against this daemon, in its namespace; never throws for a non-zero exit. */
  ctr(args: string[], timeoutMs = 300_000): Promise<RunResult> {
    return runCommand('ctr', ['--address', this.socket, '--namespace', this.namespace, ...args], { timeoutMs });
  }

  /** `ctr images pull` with this daemon's hosts dir (mirrors) and the native snapshotter. */
  pull(ref: string, opts: { user?: { username: string; password: string } } = {}): Promise<RunResult> {
    const args = ['images', 'pull', '--hosts-dir', this.hostsDir, '--snapshotter', 'native'];
    if (opts.user) args.push('--user', `${opts.user.username}:${opts.user.password}`);
    args.push(ref);
    return this.ctr(args);
  }

  /** The digest of `ref` in the image store (from `ctr images ls`), or undefined. */
  async imageDigest(ref: string): Promise<string | undefined> {
    const r = await this.ctr(['images', 'ls']);
    if (r.code !== 0) throw new Error(`ctr images ls exited ${r.code}: ${r.stderr}`);
    for (const line of r.stdout.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[0] === ref) return cols[2];
    }
    return undefined;
  }

  /** Stops the daemon by pid (SIGTERM, then SIGKILL of its group) and unmounts anything left below its home. */
  async stop(): Promise<void> {
    if (this.proc) await this.proc.stop(20_000);
    let mounts: string[] = [];
    try {
      mounts = readFileSync('/proc/self/mounts', 'utf8')
        .split('\n')
        .map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' '))
        .filter((p) => p === this.home || p.startsWith(`${this.home}/`));
    } catch {
      return;
    }
    for (const m of mounts.sort((a, b) => b.length - a.length)) await runCommand('umount', ['-l', m]);
  }
}
