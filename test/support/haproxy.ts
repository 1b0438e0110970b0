import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { haproxyConfig } from '../../scripts/lib/haproxy-config';
import { ManagedProcess, runCommand } from './process';

export interface HaproxyServer {
  name: string;
  /** Loopback address the server listens on; it serves every balanced port there. */
  address: string;
}

export interface HaproxyOptions {
  /** Temp dir of the test; HAProxy's config, socket and log live in <dir>/haproxy. */
  dir: string;
  /** Address HAProxy listens on (the same ports as the servers). */
  address: string;
  /** Ports to balance: Wharf's main port and the connector ports. */
  ports: number[];
  /** Port whose GET /service/rest/v1/status/ready decides whether a server takes requests. */
  healthPort: number;
  servers: HaproxyServer[];
}

/** One row of `show stat` for a server of a backend. */
export interface ServerStats {
  backend: string;
  server: string;
  /** Sessions open now, sessions so far, bytes received from clients. */
  current: number;
  total: number;
  bytesIn: number;
  status: string;
}

/**
 * HAProxy (the Debian package) in front of several Wharf replicas, with the settings of the shipped
 * examples/replicas/haproxy.cfg (docs/replicas.md): round-robin per request, long timeouts, request bodies
 * streamed (not buffered), a readiness check, and a retry on another server when a connection fails.
 */
export class Haproxy {
  private constructor(
    private readonly proc: ManagedProcess,
    private readonly socket: string,
    readonly address: string,
  ) {}

  static async start(opts: HaproxyOptions): Promise<Haproxy> {
    const home = join(opts.dir, 'haproxy');
    mkdirSync(home, { recursive: true });
    const socket = join(home, 'admin.sock');
    const config = join(home, 'haproxy.cfg');
    writeFileSync(config, haproxyConfig({ ...opts, socket }));
    const check = await runCommand('haproxy', ['-c', '-f', config], { timeoutMs: 30_000 });
    if (check.code !== 0) throw new Error(`haproxy refused its configuration:\n${check.stdout}${check.stderr}`);
    const proc = ManagedProcess.start({ name: 'haproxy', command: 'haproxy', args: ['-db', '-f', config], logFile: join(home, 'haproxy.log') });
    const lb = new Haproxy(proc, socket, opts.address);
    await proc.waitUntilReady(
      'haproxy to see every server up',
      async () => {
        const rows = await lb.stats();
        return rows.length === opts.ports.length * opts.servers.length && rows.every((r) => r.status === 'UP');
      },
      { timeoutMs: 30_000, tailLines: 30 },
    );
    return lb;
  }

  /** Every server row of every backend. */
  async stats(): Promise<ServerStats[]> {
    const csv = await this.command('show stat');
    const lines = csv.split('\n').filter((l) => l.length > 0);
    const header = lines[0]!.replace(/^# /, '').split(',');
    const col = (name: string) => header.indexOf(name);
    return lines
      .slice(1)
      .map((l) => l.split(','))
      .filter((f) => f[col('svname')] !== 'FRONTEND' && f[col('svname')] !== 'BACKEND')
      .map((f) => ({
        backend: f[col('pxname')]!,
        server: f[col('svname')]!,
        current: Number(f[col('scur')]),
        total: Number(f[col('stot')]),
        bytesIn: Number(f[col('bin')]),
        status: f[col('status')]!,
      }));
  }

  /** Server rows of the backend of one port. */
  async backend(port: number): Promise<ServerStats[]> {
    return (await this.stats()).filter((r) => r.backend === `port${port}`);
  }

  get logFile(): string {
    return this.proc.logFile;
  }

  async stop(): Promise<void> {
    await this.proc.stop(5_000);
  }

  private command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const s = connect(this.socket, () => s.end(`${line}\n`));
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      s.on('error', reject);
    });
  }
}
