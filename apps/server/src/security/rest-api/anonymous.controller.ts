import { Body, Controller, Get, Put, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import type { AnonymousSettingsJson } from '@wharf/api-types';
import { AnonymousAccess, checkAnonymousUser } from '../domain/anonymous-access';
import { SecurityModel } from '../domain/security-model';
import { AuditLog } from '../domain/audit';
import { actorOf } from '../rest-auth/rest-principal';
import { RestAuthGuard } from '../rest-auth/rest-auth.guard';

export class AnonymousSettingsDto {
  @IsBoolean()
  enabled!: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  userId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  realmName?: string;
}

@Controller('service/rest/v1/security/anonymous')
@UseGuards(RestAuthGuard)
export class AnonymousController {
  constructor(
    private readonly anonymous: AnonymousAccess,
    private readonly audit: AuditLog,
    private readonly model: SecurityModel,
  ) {}

  @Get()
  get(): AnonymousSettingsJson {
    return this.anonymous.get();
  }

  @Put()
  async put(@Body() dto: AnonymousSettingsDto, @Req() req: Request): Promise<AnonymousSettingsJson> {
    const before = this.anonymous.get();
    const userId = dto.userId ?? 'anonymous';
    checkAnonymousUser(this.model, userId);
    await this.anonymous.update({
      enabled: dto.enabled,
      userId,
      realmName: dto.realmName ?? 'NexusAuthorizingRealm',
    });
    const after = this.anonymous.get();
    await this.audit.record(actorOf(req), 'security.anonymous.update', null, { before, after });
    return after;
  }
}
