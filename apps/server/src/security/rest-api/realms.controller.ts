import { Body, Controller, Get, HttpCode, Put, Req, UseGuards } from '@nestjs/common';
import type { RealmJson } from '@wharf/api-types';
import type { Request } from 'express';
import { RestValidationError } from '../../http/validation';
import { AuditLog } from '../domain/audit';
import { AVAILABLE_REALMS, RealmSettings } from '../domain/realms';
import { actorOf } from '../rest-auth/rest-principal';
import { RestAuthGuard } from '../rest-auth/rest-auth.guard';

/** Active realms (`["NexusAuthenticatingRealm","DockerToken"]`): without DockerToken, registry clients get Basic challenges. */
@Controller('service/rest/v1/security/realms')
@UseGuards(RestAuthGuard)
export class RealmsController {
  constructor(
    private readonly realms: RealmSettings,
    private readonly audit: AuditLog,
  ) {}

  @Get('active')
  active(): string[] {
    return this.realms.get();
  }

  @Get('available')
  available(): RealmJson[] {
    return AVAILABLE_REALMS.map((r) => ({ ...r }));
  }

  @Put('active')
  @HttpCode(204)
  async update(@Body() body: unknown, @Req() req: Request): Promise<void> {
    if (!Array.isArray(body) || !body.every((r) => typeof r === 'string')) {
      throw new RestValidationError([{ id: '*', message: 'the body must be a JSON array of realm ids, e.g. ["NexusAuthenticatingRealm","DockerToken"]' }]);
    }
    const before = this.realms.get();
    await this.realms.update(body as string[]);
    await this.audit.record(actorOf(req), 'security.realms.update', null, { before, after: this.realms.get() });
  }
}
