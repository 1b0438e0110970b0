/**
 * Which certificates outgoing TLS trusts (upstream registries, S3 endpoints), the same for Node's client and
 * the native one (blob bodies): Node's bundled Mozilla CA list, the system's bundle (the file OpenSSL and Go use: SSL_CERT_FILE,
 * else the distribution's ca-certificates file), NODE_EXTRA_CA_CERTS, and a repository's own CA when given.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { TlsTrust } from './connection';

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
const PEM = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

let defaults: { key: string; certificates: string[] } | undefined;

function certificatesIn(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return readFileSync(file, 'utf8').match(PEM) ?? [];
  } catch {
    return [];
  }
}

/** The default trust: bundled, system, NODE_EXTRA_CA_CERTS (read again only when those variables change). */
export function defaultTrustedCertificates(): string[] {
  const { SSL_CERT_FILE: systemFile, NODE_EXTRA_CA_CERTS: extraFile } = process.env;
  const key = `${systemFile ?? ''}\n${extraFile ?? ''}`;
  if (defaults?.key !== key) {
    const system = systemFile ?? SYSTEM_BUNDLES.find((f) => existsSync(f));
    defaults = { key, certificates: [...new Set([...rootCertificates, ...certificatesIn(system), ...certificatesIn(extraFile)])] };
  }
  return defaults.certificates;
}

/** The certificates an upstream client trusts: the defaults plus `extra` (PEM text, one or several). */
export function trustedCertificates(extra?: string | Buffer | Array<string | Buffer>): string[] {
  const added = (Array.isArray(extra) ? extra : extra === undefined ? [] : [extra]).flatMap((pem) => pem.toString().match(PEM) ?? []);
  return added.length === 0 ? defaultTrustedCertificates() : [...defaultTrustedCertificates(), ...added];
}

const contexts = new Map<string, TlsTrust>();

/** The native client's trust for these certificates (built once per distinct set; verify false trusts anything). */
export function nativeTrust(certificates: string[], verify: boolean): TlsTrust {
  const key = verify ? createHash('sha256').update(certificates.join('')).digest('hex') : 'insecure';
  let trust = contexts.get(key);
  if (!trust) {
    trust = TlsTrust.create(certificates.join('\n'), verify);
    contexts.set(key, trust);
  }
  return trust;
}
