// TLS for the proxy scenarios' HTTPS upstreams: a certificate authority made by the bench (openssl, EC
// P-256) and one server certificate for localhost and 127.0.0.1. The proxies under test trust it as an
// operator would configure a private registry's CA: Wharf through NODE_EXTRA_CA_CERTS, Distribution (Go)
// through SSL_CERT_FILE; the bench client is given it directly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand } from './proc';

/** The bench CA's PEM (ca) and file, and the server certificate and key files. */
export interface BenchTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: string;
}

async function openssl(args: string[]): Promise<void> {
  const res = await runCommand('openssl', args, { timeoutMs: 30_000 });
  if (res.code !== 0) throw new Error(`openssl ${args[0]} failed: ${res.stderr.trim()}`);
}

/** Makes <dir>/ca.pem (+ key) and <dir>/server.pem + server.key; returns their paths and the CA's PEM. */
export async function makeBenchTls(dir: string): Promise<BenchTls> {
  fs.mkdirSync(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Wharf bench CA']);
  await openssl(['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  fs.writeFileSync(f('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await openssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('server.ext')]);
  return { caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key'), ca: fs.readFileSync(f('ca.pem'), 'utf8') };
}
