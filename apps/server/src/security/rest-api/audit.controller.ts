import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import type { AuditPageJson } from '@wharf/api-types';
import { RestValidationError } from '../../http/validation';
import { AuditLog } from '../domain/audit';
import { RestAuthGuard } from '../rest-auth/rest-auth.guard';

/** `GET /service/rest/v1/audit?limit=&before=`: newest first; `before` is the id to continue below (`nextBefore`). */
@Controller('service/rest/v1/audit')
@UseGuards(RestAuthGuard)
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  async list(@Query('limit') limit?: string, @Query('before') before?: string): Promise<AuditPageJson> {
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new RestValidationError([{ id: 'limit', message: 'limit must be an integer from 1 to 1000' }]);
    const b = before === undefined ? undefined : Number(before);
    if (b !== undefined && (!Number.isInteger(b) || b < 1)) throw new RestValidationError([{ id: 'before', message: 'before must be a positive integer (an event id)' }]);
    const events = await this.audit.list(n + 1, b);
    const items = events.slice(0, n).map((e) => ({
      id: e.id,
      timestamp: e.at.toISOString(),
      actor: e.actor,
      address: e.address,
      action: e.action,
      target: e.target,
      details: e.details,
    }));
    return { items, nextBefore: events.length > n ? items[items.length - 1]!.id : null };
  }
}
