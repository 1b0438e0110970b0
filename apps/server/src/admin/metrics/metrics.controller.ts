import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsReader } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { WharfMetrics } from '../../metrics/wharf-metrics';

/** Prometheus text exposition (prom-client): administrators, and scrapers whose user holds nx-metrics-all. */
@Controller('service/metrics/prometheus')
@UseGuards(RestAuthGuard)
@MetricsReader()
export class MetricsController {
  constructor(private readonly metrics: WharfMetrics) {}

  @Get()
  async metricsText(@Res() res: Response): Promise<void> {
    const text = await this.metrics.text();
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).send(text);
  }
}
