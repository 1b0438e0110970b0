import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docker-compose.yml (the single-node service and the "replicas" profile) and examples/replicas/haproxy.cfg are
// shipped without being started by the test suite (no registry for base images here). What can be checked
// without Docker is checked: both tools accept the files, and everything the files name exists and agrees.

const ROOT = join(__dirname, '../../../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  profiles?: string[];
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  depends_on?: string[] | Record<string, unknown>;
}

interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: { subnet: string }[] } }>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const services = Object.entries(compose.services);
const inProfile = (profile: string | null) => services.filter(([, s]) => (profile === null ? !s.profiles : s.profiles?.includes(profile))).map(([n]) => n);
const haproxy = read('examples/replicas/haproxy.cfg');
const REPLICAS = ['wharf-a', 'wharf-b'];

/** "8181-8182:8181-8182" -> the published ports [8181, 8182]. */
function publishedPorts(service: Service): number[] {
  return (service.ports ?? []).flatMap((spec) => {
    const [from, to] = spec.split(':')[0]!.split('-').map(Number);
    return Array.from({ length: (to ?? from!) - from! + 1 }, (_, i) => from! + i);
  });
}

/** The ports of HAProxy's `bind` lines (":8081,:8082-8089"). */
function boundPorts(cfg: string): number[] {
  return [...cfg.matchAll(/^\s*bind (.+)$/gm)].flatMap((m) =>
    m[1]!.split(',').flatMap((spec) => {
      const [from, to] = spec.slice(spec.lastIndexOf(':') + 1).split('-').map(Number);
      return Array.from({ length: (to ?? from!) - from! + 1 }, (_, i) => from! + i);
    }),
  );
}

/** Where the variable is documented: a `NAME` in README.md or docs/*.md. */
function documented(name: string): boolean {
  const files = ['README.md', ...execFileSync('git', ['ls-files', 'docs/*.md'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n')];
  return files.some((f) => read(f).includes(`\`${name}`));
}

describe('docker-compose.yml and examples/replicas/haproxy.cfg', () => {
  it('docker-compose accepts the file, with and without the replicas profile', () => {
    for (const args of [['config', '-q'], ['--profile', 'replicas', 'config', '-q']]) {
      const run = spawnSync('docker-compose', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, WHARF_ADMIN_PASSWORD: 'x' } });
      expect(run.error, 'docker-compose is missing: bash scripts/install-test-deps.sh').toBeUndefined();
      expect(run.status, `docker-compose ${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
  });

  it('HAProxy accepts its configuration (the replicas need not resolve yet)', () => {
    const run = spawnSync('haproxy', ['-c', '-f', 'examples/replicas/haproxy.cfg'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.error, 'haproxy is missing: bash scripts/install-test-deps.sh').toBeUndefined();
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('runs one Wharf by default and PostgreSQL, MinIO, two replicas and HAProxy in the replicas profile', () => {
    expect(inProfile(null)).toEqual(['wharf']);
    expect(inProfile('replicas').sort()).toEqual(['lb', 'minio', 'postgres', ...REPLICAS].sort());
    for (const name of REPLICAS) expect(compose.services[name]!.image).toBe(compose.services.wharf!.image);
  });

  it('names only files, build arguments, volumes and networks that exist', () => {
    for (const [name, service] of services) {
      if (service.build) {
        const dockerfile = join(ROOT, service.build.context, 'Dockerfile');
        expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
        for (const arg of Object.keys(service.build.args ?? {})) expect(readFileSync(dockerfile, 'utf8'), `${name}: ARG ${arg}`).toMatch(new RegExp(`^ARG ${arg}\\b`, 'm'));
      }
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `${name}: volume ${source}`).toHaveProperty(source);
      }
      const networks = Array.isArray(service.networks) ? service.networks : Object.keys(service.networks ?? {});
      for (const network of networks) expect(compose.networks, `${name}: network ${network}`).toHaveProperty(network);
    }
  });

  it("sets only Wharf variables that Wharf reads and docs/configuration.md explains, and documents every ${VARIABLE} it takes", () => {
    const config = read('docs/configuration.md');
    for (const [name, service] of services.filter(([n]) => n === 'wharf' || REPLICAS.includes(n))) {
      for (const variable of Object.keys(service.environment ?? {})) {
        expect(variable, name).toMatch(/^WHARF_/);
        expect(config, `${name}: ${variable} in docs/configuration.md`).toContain(`\`${variable}\``);
      }
    }
    const taken = new Set([...read('docker-compose.yml').matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
    for (const variable of taken) expect(documented(variable), `${variable} is documented in README.md or docs/`).toBe(true);
  });

  it('HAProxy balances the single-node ports over the replicas, checks their main port, and is the proxy they trust', () => {
    const lb = compose.services.lb!;
    const ports = publishedPorts(compose.services.wharf!).sort();
    expect(publishedPorts(lb).sort()).toEqual(ports);
    expect(boundPorts(haproxy).sort()).toEqual(ports);
    expect(lb.volumes).toContain('./examples/replicas/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    expect([...haproxy.matchAll(/^\s*server \S+ (\S+)/gm)].map((m) => m[1])).toEqual(REPLICAS);
    // The image's main port (Dockerfile: WHARF_PORT unset, 8081) is the one checked.
    expect(haproxy).toMatch(/^\s*default-server check port 8081\b/m);
    expect(haproxy).toMatch(/^\s*option httpchk GET \/service\/rest\/v1\/status\/ready$/m);
    expect(haproxy).toMatch(/^\s*option forwardfor$/m);
    const address = (lb.networks as Record<string, { ipv4_address: string }>).replicas!.ipv4_address;
    const subnet = compose.networks!.replicas!.ipam!.config![0]!.subnet;
    expect(address.split('.').slice(0, 3).join('.'), subnet).toBe(subnet.split('.').slice(0, 3).join('.'));
    for (const name of REPLICAS) expect(compose.services[name]!.environment!.WHARF_TRUSTED_PROXIES).toBe(address);
  });
});
