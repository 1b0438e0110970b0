import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxRootfs } from '../support/busybox-image';
import { Cleanup } from '../support/cleanup';
import { Dockerd } from '../support/dockerd';
import { freePort } from '../support/ports';
import { TestCa } from '../support/tls';
import { waitFor } from '../support/wait';
import { ADMIN_USER, Wharf } from '../support/wharf';

/**
 * dockerd treats 127.0.0.0/8 as an insecure registry (TLS without verification, then plain HTTP), which would
 * prove nothing about the certificate: the connector is reached on this machine's first non-loopback IPv4
 * address, which dockerd verifies like any production registry.
 */
function machineAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!address) throw new Error('this test needs a non-loopback IPv4 address (dockerd does not verify TLS for 127.0.0.0/8)');
  return address;
}

/** Where dockerd looks for the CA of a registry (docs/operations.md, "HTTPS"). */
function certsDir(registry: string): string {
  return join('/etc/docker/certs.d', registry);
}

// A real Docker daemon pushes and pulls over TLS through a hosted repository's docker.httpsPort, trusting the
// test CA through /etc/docker/certs.d/<host:port>/ca.crt; then the certificate is renewed (another CA) and
// Wharf takes it on SIGHUP without a restart.
describe('docker push/pull over HTTPS (docker.httpsPort) with a certificate from a private CA', () => {
  const cleanup = new Cleanup();
  let tmp: string;
  let ca: TestCa;
  let renewalCa: TestCa;
  let wharf: Wharf;
  let registry: string; // <address>:<https port>
  let image: string;
  let certificateFile: string;
  let keyFile: string;
  let daemonA: Dockerd;
  let daemonB: Dockerd;

  beforeAll(async () => {
    tmp = cleanup.tempDir('docker-tls');
    const address = machineAddress();
    ca = TestCa.create();
    cleanup.add('test CA', () => ca.dispose());
    renewalCa = TestCa.create();
    cleanup.add('renewal CA', () => renewalCa.dispose());
    const issued = ca.issue([address]);
    certificateFile = join(tmp, 'wharf.crt');
    keyFile = join(tmp, 'wharf.key');
    copyFileSync(issued.certFile, certificateFile);
    copyFileSync(issued.keyFile, keyFile);
    // All addresses, so that the connector is reachable on the machine address (the main port stays HTTP).
    wharf = cleanup.stopping('wharf', await Wharf.start({ dir: tmp, env: { WHARF_HOST: '0.0.0.0', WHARF_TLS_CERTIFICATE: certificateFile, WHARF_TLS_KEY: keyFile } }));
    const httpsPort = await freePort();
    const res = await wharf.rest.post('/service/rest/v1/repositories/docker/hosted', {
      name: 'tls-hosted',
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW' },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null, httpsPort },
    });
    expect(res.status, res.text()).toBe(201);
    registry = `${address}:${httpsPort}`;
    image = `${registry}/team/app:1`;
    cleanup.add('certs.d entry', () => rmSync(certsDir(registry), { recursive: true, force: true }));
    daemonA = cleanup.stopping('dockerd A', await Dockerd.start({ dir: tmp, name: 'da' }));
    daemonB = cleanup.stopping('dockerd B', await Dockerd.start({ dir: tmp, name: 'db' }));
    await daemonA.dockerOk(['import', await buildBusyboxRootfs(tmp), image]);
  });
  afterAll(() => cleanup.run());

  it('without the CA in certs.d, docker refuses the certificate (it is verified, not skipped)', async () => {
    const login = await daemonA.login(registry, ADMIN_USER, wharf.adminPassword);
    expect(login.code).not.toBe(0);
    expect(login.stderr).toMatch(/x509: certificate signed by unknown authority/);
  });

  it('with the CA in /etc/docker/certs.d/<host:port>/ca.crt, pushes and pulls the same digest, and runs it', async () => {
    mkdirSync(certsDir(registry), { recursive: true });
    writeFileSync(join(certsDir(registry), 'ca.crt'), ca.cert);
    for (const daemon of [daemonA, daemonB]) {
      const login = await daemon.login(registry, ADMIN_USER, wharf.adminPassword);
      expect(login.code, login.stderr).toBe(0);
    }
    const push = await daemonA.dockerOk(['push', image]);
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)?.[1];
    expect(digest, push.stdout).toMatch(/^sha256:[a-f0-9]{64}$/);
    const pull = await daemonB.dockerOk(['pull', image]);
    expect(pull.stdout).toContain(`Digest: ${digest}`);
    const run = await daemonB.dockerOk(['run', '--rm', '--network', 'none', image, '/bin/busybox', 'echo', 'ok']);
    expect(run.stdout.trim()).toBe('ok');
  });

  it('a renewed certificate (another CA) is taken on SIGHUP without a restart', async () => {
    const renewed = renewalCa.issue([registry.split(':')[0]!]);
    copyFileSync(renewed.certFile, certificateFile);
    copyFileSync(renewed.keyFile, keyFile);
    process.kill(wharf.pid!, 'SIGHUP');
    // certs.d still holds the old CA: once Wharf presents the renewed certificate, docker refuses it.
    await waitFor('Wharf to present the renewed certificate', async () => {
      const r = await daemonB.docker(['pull', `${registry}/team/app:1`]);
      return r.code !== 0 && /x509: certificate signed by unknown authority/.test(r.stderr);
    }, { timeoutMs: 30_000, intervalMs: 500 });
    writeFileSync(join(certsDir(registry), 'ca.crt'), renewalCa.cert);
    await daemonB.dockerOk(['rmi', image]);
    const pull = await daemonB.dockerOk(['pull', image]);
    expect(pull.stdout).toMatch(/Digest: sha256:[a-f0-9]{64}/);
    expect(wharf.running).toBe(true);
    expect(wharf.logTail(200)).toMatch(/TLS certificate reloaded/);
  });
});
