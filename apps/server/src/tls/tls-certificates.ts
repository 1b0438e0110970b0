import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import { ConfigError, type TlsFiles } from '../config/config';

/** What the loaded certificate says, for the log. */
export interface CertificateFacts {
  subject: string;
  /** subjectAltName, e.g. `DNS:wharf.example.org, IP Address:10.0.0.5`. */
  names: string;
  validTo: string;
}

interface Loaded {
  cert: Buffer;
  key: Buffer;
  facts: CertificateFacts;
}

/**
 * The certificate and key every HTTPS listener presents (the main HTTPS port and connectors' `docker.httpsPort`).
 * `reload()` reads the files again (main.ts calls it on SIGHUP, after a renewal): the listeners take the new pair
 * for new connections, connections already open keep theirs. A pair that does not load (unreadable, not PEM, the
 * key not the certificate's) is refused with a message and the previous one stays.
 */
export class TlsCertificates {
  private loaded: Loaded;
  private readonly servers = new Set<HttpsServer>();

  constructor(private readonly files: TlsFiles) {
    this.loaded = load(files);
  }

  get facts(): CertificateFacts {
    return this.loaded.facts;
  }

  /** The pair for a new HTTPS server. */
  options(): { cert: Buffer; key: Buffer } {
    return { cert: this.loaded.cert, key: this.loaded.key };
  }

  /** Keeps `server` presenting the current pair (until it closes). */
  serve(server: HttpsServer): void {
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
  }

  /** Reads the files again and hands the pair to every listener; throws ConfigError (nothing changes) when it does not load. */
  reload(): CertificateFacts {
    const loaded = load(this.files);
    for (const server of this.servers) server.setSecureContext({ cert: loaded.cert, key: loaded.key });
    this.loaded = loaded;
    return loaded.facts;
  }
}

function read(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${setting}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function load(files: TlsFiles): Loaded {
  const cert = read(files.certificateFile, 'WHARF_TLS_CERTIFICATE');
  const key = read(files.keyFile, 'WHARF_TLS_KEY');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new ConfigError(`WHARF_TLS_CERTIFICATE: ${files.certificateFile} is not a PEM certificate`);
  }
  let fits: boolean;
  try {
    fits = certificate.checkPrivateKey(createPrivateKey(key));
  } catch {
    throw new ConfigError(`WHARF_TLS_KEY: ${files.keyFile} is not an unencrypted PEM private key`);
  }
  if (!fits) throw new ConfigError(`WHARF_TLS_KEY: ${files.keyFile} is not the key of the certificate in ${files.certificateFile}`);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(`WHARF_TLS_CERTIFICATE: ${files.certificateFile} cannot be used: ${(err as Error).message}`);
  }
  return { cert, key, facts: { subject: certificate.subject.replace(/\n/g, ', '), names: certificate.subjectAltName ?? '', validTo: certificate.validTo } };
}
