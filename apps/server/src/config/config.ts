import type { ThrottleRule } from '../security/domain/throttle';
import { resolve } from 'node:path';
import { AddressList, UpstreamAddressPolicy } from '@wharf/registry-core';
import type { ForwardedHeader } from '../http/client-address';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';

export interface WharfConfig {
  port: number;
  host: string;
  dataDir: string;
  adminPassword?: string;
  baseUrl?: string;
  databaseUrl?: string;
  logLevel: LogLevel;
  /** `text` (default): readable lines; `json`: one JSON object per line (WHARF_LOG_FORMAT). */
  logFormat?: LogFormat;
  /** Failed-login throttling rules (tests loosen them; not an environment setting). */
  loginThrottle?: ThrottleRule[];
  /** Built admin UI (defaults to web/dist of this checkout). */
  webDir?: string;
  /** WHARF_UPSTREAM_DENY: upstream addresses proxies may not reach (UpstreamAddressPolicy syntax); default 'default'. */
  upstreamDeny?: string;
  /** WHARF_ALLOW_PRIVILEGED_PORTS: connector ports below 1024 are refused unless true. */
  allowPrivilegedPorts?: boolean;
  /** WHARF_SHUTDOWN_GRACE_SECONDS: on SIGTERM, how long requests in flight may take to finish (default 30). */
  shutdownGraceSeconds?: number;
  /** WHARF_MIN_FREE_SPACE: bytes the blob store leaves free; uploads and fills that would go below are refused. None when absent. */
  minFreeSpace?: number;
  /** WHARF_SECRET_KEY_FILE: the key sealing secrets in the database (default <dataDir>/secrets/config.key); replicas share one. */
  secretKeyFile?: string;
  /** WHARF_TRUSTED_PROXIES: addresses and CIDR ranges of reverse proxies whose forwarding header names the client ('' = none). */
  trustedProxies?: string;
  /** WHARF_FORWARDED_HEADER: the header those proxies append the client address to (default x-forwarded-for). */
  forwardedHeader?: ForwardedHeader;
  /** WHARF_TLS_CERTIFICATE + WHARF_TLS_KEY: what HTTPS listeners present (the main HTTPS port, connectors' docker.httpsPort). */
  tls?: TlsFiles;
  /** WHARF_HTTPS_PORT: the main port's HTTPS twin (same API, UI and registry); needs `tls`. */
  httpsPort?: number;
}

/** The files named by WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY. */
export interface TlsFiles {
  /** PEM: the server certificate first, then any intermediate certificates. */
  certificateFile: string;
  /** PEM: the certificate's private key, unencrypted. */
  keyFile: string;
}

export class ConfigError extends Error {}

const LEVELS: LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** Reads and validates WHARF_* variables (docs/configuration.md lists them); a bad value stops start-up with a message naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WharfConfig {
  const port = parsePort(env.WHARF_PORT ?? '8081', 'WHARF_PORT');
  const logLevel = (env.WHARF_LOG_LEVEL ?? 'info').toLowerCase() as LogLevel;
  if (!LEVELS.includes(logLevel)) throw new ConfigError(`WHARF_LOG_LEVEL must be one of ${LEVELS.join(', ')}, not "${env.WHARF_LOG_LEVEL}"`);
  const logFormat = (env.WHARF_LOG_FORMAT || 'text').toLowerCase() as LogFormat;
  if (logFormat !== 'text' && logFormat !== 'json') throw new ConfigError(`WHARF_LOG_FORMAT must be text or json, not "${env.WHARF_LOG_FORMAT}"`);
  const baseUrl = env.WHARF_BASE_URL?.replace(/\/+$/, '') || undefined;
  if (baseUrl && !/^https?:\/\/[^/]+/.test(baseUrl)) throw new ConfigError(`WHARF_BASE_URL must be an http(s) URL, not "${baseUrl}"`);
  return {
    port,
    host: env.WHARF_HOST || '0.0.0.0',
    dataDir: resolve(env.WHARF_DATA_DIR || './data'),
    logLevel,
    logFormat,
    ...(env.WHARF_ADMIN_PASSWORD ? { adminPassword: env.WHARF_ADMIN_PASSWORD } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(env.WHARF_DATABASE_URL ? { databaseUrl: env.WHARF_DATABASE_URL } : {}),
    ...(env.WHARF_SECRET_KEY_FILE ? { secretKeyFile: resolve(env.WHARF_SECRET_KEY_FILE) } : {}),
    ...hardeningSettings(env),
    ...proxySettings(env),
    ...tlsSettings(env),
  };
}

/** WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY go together; WHARF_HTTPS_PORT needs them. The files are read at start (tls/). */
function tlsSettings(env: NodeJS.ProcessEnv): Pick<WharfConfig, 'tls' | 'httpsPort'> {
  const certificateFile = env.WHARF_TLS_CERTIFICATE || undefined;
  const keyFile = env.WHARF_TLS_KEY || undefined;
  if ((certificateFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError('WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY go together: set both (PEM files) or neither');
  }
  const httpsPort = env.WHARF_HTTPS_PORT ? parsePort(env.WHARF_HTTPS_PORT, 'WHARF_HTTPS_PORT') : undefined;
  if (httpsPort !== undefined && certificateFile === undefined) {
    throw new ConfigError('WHARF_HTTPS_PORT needs a certificate: set WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY');
  }
  return {
    ...(certificateFile && keyFile ? { tls: { certificateFile: resolve(certificateFile), keyFile: resolve(keyFile) } } : {}),
    ...(httpsPort !== undefined ? { httpsPort } : {}),
  };
}

export const DEFAULT_MIN_FREE_SPACE = '1GiB';
/** As Kubernetes' terminationGracePeriodSeconds. */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

/** The settings of issue 16's hardening: upstream deny list, privileged ports, free-space floor. */
function hardeningSettings(env: NodeJS.ProcessEnv): Pick<WharfConfig, 'upstreamDeny' | 'allowPrivilegedPorts' | 'minFreeSpace' | 'shutdownGraceSeconds'> {
  const grace = Number(env.WHARF_SHUTDOWN_GRACE_SECONDS ?? DEFAULT_SHUTDOWN_GRACE_SECONDS);
  if (!Number.isFinite(grace) || grace < 0) {
    throw new ConfigError(`WHARF_SHUTDOWN_GRACE_SECONDS must be a number of seconds, not "${env.WHARF_SHUTDOWN_GRACE_SECONDS}"`);
  }
  const upstreamDeny = env.WHARF_UPSTREAM_DENY ?? 'default';
  try {
    new UpstreamAddressPolicy(upstreamDeny);
  } catch (err) {
    throw new ConfigError(`WHARF_UPSTREAM_DENY: ${(err as Error).message}`);
  }
  const privileged = (env.WHARF_ALLOW_PRIVILEGED_PORTS ?? 'false').toLowerCase();
  if (privileged !== 'true' && privileged !== 'false') throw new ConfigError(`WHARF_ALLOW_PRIVILEGED_PORTS must be true or false, not "${privileged}"`);
  return {
    upstreamDeny,
    allowPrivilegedPorts: privileged === 'true',
    shutdownGraceSeconds: grace,
    minFreeSpace: parseBytes(env.WHARF_MIN_FREE_SPACE ?? DEFAULT_MIN_FREE_SPACE, 'WHARF_MIN_FREE_SPACE'),
  };
}

/** Reverse proxies trusted to name the client (throttling, audit and access logs). */
function proxySettings(env: NodeJS.ProcessEnv): Pick<WharfConfig, 'trustedProxies' | 'forwardedHeader'> {
  const trustedProxies = env.WHARF_TRUSTED_PROXIES ?? '';
  try {
    AddressList.parse(trustedProxies);
  } catch (err) {
    throw new ConfigError(`WHARF_TRUSTED_PROXIES: ${(err as Error).message}`);
  }
  const forwardedHeader = (env.WHARF_FORWARDED_HEADER || 'x-forwarded-for').toLowerCase();
  if (forwardedHeader !== 'x-forwarded-for' && forwardedHeader !== 'forwarded') {
    throw new ConfigError(`WHARF_FORWARDED_HEADER must be X-Forwarded-For or Forwarded, not "${env.WHARF_FORWARDED_HEADER}"`);
  }
  return { trustedProxies, forwardedHeader };
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** "1073741824", "512MiB", "1GiB", "64m": a size in bytes (binary units). */
export function parseBytes(value: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new ConfigError(`${name} must be a size such as 1073741824, 512MiB or 1GiB, not "${value}"`);
  return Math.floor(Number(m[1]) * unit);
}

function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${name} must be a port number, not "${value}"`);
  return port;
}
