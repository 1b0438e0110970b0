import { availableParallelism } from 'node:os';
import { Controller, Get, Res, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { MetricsReader } from '../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../security/rest-auth/rest-auth.guard';
import { Readiness } from './readiness';

const CHECK_TIMEOUT_MS = 5_000;

/** One entry of Nexus's `GET /service/rest/v1/status/check`. */
export interface StatusCheckJson {
  healthy: boolean;
  message: string | null;
  error: string | null;
  details: Record<string, unknown> | null;
  time: number;
  duration: number;
  timestamp: string;
}

/**
 * Probes for orchestrators (anonymous, like Nexus's /status): `live` says the process answers (no
 * dependency: a database outage must not get every replica restarted), `ready` runs the readiness checks
 * through Nest's terminus module (503 with the failing ones). `check` is Nexus's detailed system status.
 */
@Controller('service/rest/v1/status')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: Readiness,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    const indicators = this.readiness.checks.map(
      (c) => () => this.indicators.check(c.name).attempt(async () => (await c.check()) ?? {}).withTimeout(CHECK_TIMEOUT_MS),
    );
    try {
      res.status(200).json(await this.health.check(indicators));
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503).json(err.getResponse());
    }
  }

  /** Nexus's system status checks (for nx-metrics-all, as in Nexus): always 200, `healthy` per check. */
  @Get('check')
  @UseGuards(RestAuthGuard)
  @MetricsReader()
  async check(): Promise<Record<string, StatusCheckJson>> {
    const out: Record<string, StatusCheckJson> = {};
    const cpus = availableParallelism();
    out['Available CPUs'] = entry(Date.now(), 0, true, `The host system is allocating a maximum of ${cpus} cores to the application.`, null, { cpus });
    for (const c of this.readiness.checks) {
      const started = Date.now();
      try {
        const details = (await withTimeout(c.check(), CHECK_TIMEOUT_MS)) ?? null;
        out[c.name] = entry(started, Date.now() - started, true, null, null, details);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        out[c.name] = entry(started, Date.now() - started, false, message, message, null);
      }
    }
    return out;
  }
}

function entry(time: number, duration: number, healthy: boolean, message: string | null, error: string | null, details: Record<string, unknown> | null): StatusCheckJson {
  return { healthy, message, error, details, time, duration, timestamp: new Date(time).toISOString() };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
