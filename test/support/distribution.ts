import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { send } from './http';
import { freePort } from './ports';
import { ManagedProcess } from './process';

export interface DistributionOptions {
  /** Temp dir; storage, config and log go below <dir>/<name>. */
  dir: string;
  name?: string;
  port?: number;
  /** Pull-through cache mode: `proxy.remoteurl` (and credentials) of the upstream. */
  proxy?: { remoteUrl: string; username?: string; password?: string };
}

export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
}

/**
 * CNCF Distribution (`docker-registry serve config.yml`) on 127.0.0.1 with filesystem storage,
 * no auth: the reference registry and the upstream that proxy repositories point at.
 */
export class Distribution {
  private constructor(
    readonly port: number,
    readonly storageDir: string,
    readonly configFile: string,
    private readonly proc: ManagedProcess,
  ) {}

  static async start(opts: DistributionOptions): Promise<Distribution> {
    const home = join(opts.dir, opts.name ?? 'distribution');
    const storageDir = join(home, 'storage');
    mkdirSync(storageDir, { recursive: true });
    const port = opts.port ?? (await freePort());
    const lines = [
      'version: 0.1',
      'log:',
      '  level: info',
      '  accesslog:',
      '    disabled: false',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${JSON.stringify(storageDir)}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
    ];
    if (opts.proxy) {
      lines.push('proxy:', `  remoteurl: ${JSON.stringify(opts.proxy.remoteUrl)}`);
      if (opts.proxy.username !== undefined) lines.push(`  username: ${JSON.stringify(opts.proxy.username)}`);
      if (opts.proxy.password !== undefined) lines.push(`  password: ${JSON.stringify(opts.proxy.password)}`);
    }
    const configFile = join(home, 'config.yml');
    writeFileSync(configFile, `${lines.join('\n')}\n`);
    const proc = ManagedProcess.start({
      name: 'docker-registry',
      command: 'docker-registry',
      args: ['serve', configFile],
      logFile: join(home, 'registry.log'),
      env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' },
    });
    const registry = new Distribution(port, storageDir, configFile, proc);
    await proc.waitUntilReady(`docker-registry on port ${port}`, async () => (await send(`${registry.url}/v2/`, { timeoutMs: 5_000 })).status === 200, {
      tailLines: 30,
    });
    return registry;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** host:port as docker and skopeo spell a registry. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.proc.pid;
  }

  get logFile(): string {
    return this.proc.logFile;
  }

  /** Requests the registry has answered so far, from its access log (for counting upstream calls). */
  requests(): AccessLogEntry[] {
    const text = readFileSync(this.proc.logFile, 'utf8');
    const out: AccessLogEntry[] = [];
    const re = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      out.push({ method: m[1]!, path: m[2]!, status: Number(m[3]) });
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.proc.stop(10_000);
  }
}
