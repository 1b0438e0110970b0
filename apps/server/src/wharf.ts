import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
// The adapter alone: the package's index also loads multer (file uploads), which no Wharf route takes.
import { ExpressAdapter } from '@nestjs/platform-express/adapters/express-adapter';
import express from 'express';
import type { RequestListener, Server } from 'node:http';
import { RepositoriesService } from './admin/repositories/repositories.service';
import { WharfModule, compose } from './composition-root';
import { DEFAULT_SHUTDOWN_GRACE_SECONDS, type WharfConfig } from './config/config';
import { writeToTerminalOnly } from './config/log-file';
import { closeServer, createRegistryServer, listen } from './connectors/http-server';
import { isRegistryPath } from './distribution/registry-handler';
import { RestExceptionFilter } from './http/rest-exception.filter';
import { refuseTrace, securityHeaders } from './http/security-headers';
import { createValidationPipe } from './http/validation';
import { accessLog } from './logging/access-log';
import { OpenApiDocuments } from './openapi/openapi-document';
import { type WharfLogger, createLogger } from './logging/wharf-logger';
import { bootstrapSecurity } from './security/domain/bootstrap';
import { exclusive } from './replicas/exclusive';
import { type CertificateFacts, TlsCertificates } from './tls/tls-certificates';
import { uiHandler } from './ui/static-ui';

export interface Wharf {
  port: number;
  url: string;
  /** The main HTTPS port (WHARF_HTTPS_PORT), when there is one. */
  httpsPort?: number;
  /** Reads WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY again (SIGHUP); null without TLS. Throws ConfigError, keeping the old pair, when they do not load. */
  reloadTls(): CertificateFacts | null;
  close(): Promise<void>;
}

/** Starts one Wharf: storage, the Nest application (REST API), the main port and every connector port. */
export async function startWharf(config: WharfConfig): Promise<Wharf> {
  const logger = createLogger({ logLevel: config.logLevel, logFormat: config.logFormat ?? 'text' });
  Logger.overrideLogger(logger);
  const log = new Logger('Wharf');
  // The main port is bound before anything is stored: a port in use stops start-up (PortUnavailableError)
  // with the data directory untouched, so the next start is still a first start. Until the application is
  // ready, requests get 503.
  let serve: RequestListener = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' }).end('Wharf is starting\n');
  };
  // A certificate that does not load stops start-up before anything is bound or stored, too.
  const tls = config.tls ? new TlsCertificates(config.tls) : undefined;
  const main: MainPorts = { servers: [], port: 0 };
  try {
    const server = createRegistryServer((req, res) => serve(req, res));
    main.servers.push(server);
    main.port = await listen(server, config.port, config.host);
    if (tls && config.httpsPort !== undefined) {
      const secure = createRegistryServer((req, res) => serve(req, res), tls);
      main.servers.push(secure);
      main.httpsPort = await listen(secure, config.httpsPort, config.host);
    }
    return await startOnServer(config, main, tls, (listener) => (serve = listener), logger, log);
  } catch (err) {
    await Promise.all(main.servers.map((s) => closeServer(s)));
    throw err;
  }
}

/** The main port, and its HTTPS twin when configured: both serve the same API, UI and registry. */
interface MainPorts {
  servers: Server[];
  port: number;
  httpsPort?: number;
}

async function startOnServer(
  config: WharfConfig,
  main: MainPorts,
  tls: TlsCertificates | undefined,
  ready: (listener: RequestListener) => void,
  logger: WharfLogger,
  log: Logger,
): Promise<Wharf> {
  const port = main.port;
  const wharf = await compose({ ...config, port, ...(main.httpsPort !== undefined ? { httpsPort: main.httpsPort } : {}) }, accessLog(logger), tls);
  const security = wharf.security;

  const http = express();
  http.disable('x-powered-by');
  http.use(refuseTrace);
  // The admin UI (web/dist) at `/`; it passes /service, /v2 and /repository on to the API.
  http.use(uiHandler(config.webDir ?? join(__dirname, '../../../web/dist')));
  http.use(securityHeaders);
  const app = await NestFactory.create(WharfModule.register(wharf), new ExpressAdapter(http), {
    bodyParser: false,
    logger,
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new RestExceptionFilter());
  await app.init();
  app.get(OpenApiDocuments).attach(app);

  // Replicas starting together create the first-start defaults once.
  const generated = await exclusive(wharf.locks, 'first-start', () => bootstrapSecurity(security, wharf.settings, config.adminPassword));
  if (generated) {
    const file = join(config.dataDir, 'admin.password');
    await writeFile(file, `${generated}\n`, { mode: 0o600 });
    // README, Quick start: printed once, on the first start only, for the person at the terminal. Never into the log
    // file (the README tells users to delete admin.password), nor into JSON logs, which are collected.
    if ((config.logFormat ?? 'text') === 'text') {
      log.log(`created user admin with a generated password (also in ${file}); it is shown below and not written to the log file`);
      writeToTerminalOnly(`\n    admin password: ${generated}\n\n`);
    } else {
      log.log(`created user admin with a generated password: read it from ${file}`);
    }
  }
  // Token-signing keys are replaced daily; the previous ones keep verifying tokens in flight.
  const rotation = setInterval(() => {
    security.keys.rotateIfDue().catch((err: Error) => log.error(`token key rotation failed: ${err.message}`));
  }, 60 * 60 * 1000);
  rotation.unref();

  const registry = wharf.registry;
  ready(wharf.observe((req, res) => (isRegistryPath(req.url ?? '/') ? registry.main(req, res) : http(req, res))));
  await app.get(RepositoriesService).openAll((name, err) => log.error(`connector of repository ${name} not opened: ${err.message}`));
  log.log(`Wharf listening on http://${config.host}:${port}${main.httpsPort !== undefined ? ` and https://${config.host}:${main.httpsPort}` : ''} with data in ${config.dataDir}`);
  if (tls) log.log(`TLS certificate ${describe(tls.facts)}`);

  await wharf.scheduler.start();

  return {
    port,
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    ...(main.httpsPort !== undefined ? { httpsPort: main.httpsPort } : {}),
    reloadTls: () => {
      if (!tls) return null;
      const facts = tls.reload();
      log.log(`TLS certificate reloaded: ${describe(facts)}`);
      return facts;
    },
    close: async () => {
      // Draining: not ready any more, no new connections, new requests 503; transfers under way may finish.
      wharf.drain.begin();
      clearInterval(rotation);
      const grace = (config.shutdownGraceSeconds ?? DEFAULT_SHUTDOWN_GRACE_SECONDS) * 1000;
      // Runs of this process stop at their next checkpoint; their leases end, so another process may take over.
      await Promise.all([wharf.connectors.closeAll(grace), ...main.servers.map((s) => closeServer(s, grace)), wharf.scheduler.stop()]);
      await app.close();
      await wharf.downloads.stop();
      await wharf.close();
    },
  };
}

function describe(facts: CertificateFacts): string {
  return `${facts.subject} (${facts.names || 'no subjectAltName'}), valid until ${facts.validTo}`;
}
