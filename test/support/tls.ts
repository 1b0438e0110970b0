import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/**
 * A certificate authority made at test time (openssl, EC P-256), whose certificates Wharf is told to trust
 * through NODE_EXTRA_CA_CERTS or a repository's trust setting: what a private registry with its own CA looks like.
 */
export class TestCa {
  readonly certFile: string;
  readonly cert: string;
  private readonly keyFile: string;
  private issued = 0;

  private constructor(readonly dir: string) {
    this.keyFile = join(dir, 'ca.key');
    this.certFile = join(dir, 'ca.pem');
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', this.keyFile, '-out', this.certFile, '-days', '2', '-subj', '/CN=Wharf test CA']);
    this.cert = readFileSync(this.certFile, 'utf8');
  }

  /** A new CA in its own temporary directory (remove it with `dispose`). */
  static create(): TestCa {
    return new TestCa(mkdtempSync(join(tmpdir(), 'wharf-test-ca-')));
  }

  /** A server certificate for the given DNS names and IP addresses (subjectAltName), signed by this CA. */
  issue(names: string[] = ['localhost', '127.0.0.1']): IssuedCertificate {
    const n = ++this.issued;
    const keyFile = join(this.dir, `server-${n}.key`);
    const csr = join(this.dir, `server-${n}.csr`);
    const certFile = join(this.dir, `server-${n}.pem`);
    const ext = join(this.dir, `server-${n}.ext`);
    const san = names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
    writeFileSync(ext, `subjectAltName=${san}\n`);
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${names[0]}`]);
    openssl(['x509', '-req', '-in', csr, '-CA', this.certFile, '-CAkey', this.keyFile, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', ext]);
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
