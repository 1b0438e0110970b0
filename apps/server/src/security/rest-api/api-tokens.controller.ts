import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import type { ApiTokenJson, CreatedApiTokenJson } from '@wharf/api-types';
import { ApiTokensService } from '../domain/api-tokens.service';
import { AuditLog } from '../domain/audit';
import { AnyUser, actorOf, principalOf } from '../rest-auth/rest-principal';
import { RestAuthGuard } from '../rest-auth/rest-auth.guard';
import { CreateApiTokenDto } from './security.dto';

/** API tokens for scripts and CI: users manage their own, administrators everyone's. */
@Controller('service/rest/v1/security/api-tokens')
@UseGuards(RestAuthGuard)
@AnyUser()
export class ApiTokensController {
  constructor(
    private readonly tokens: ApiTokensService,
    private readonly audit: AuditLog,
  ) {}

  /** The caller's tokens; an administrator sees every token (or one user's with ?userId=). */
  @Get()
  list(@Req() req: Request, @Query('userId') userId?: string): Promise<ApiTokenJson[]> {
    const me = principalOf(req);
    return this.tokens.list(me.admin ? userId || undefined : me.userId);
  }

  /** 201 with the secret, which is shown this once. */
  @Post()
  @HttpCode(201)
  async create(@Body() dto: CreateApiTokenDto, @Req() req: Request): Promise<CreatedApiTokenJson> {
    const me = principalOf(req);
    const created = await this.tokens.create(me.userId, dto.name, dto.expiresAt ? new Date(dto.expiresAt) : null);
    await this.audit.record(actorOf(req), 'security.api-token.create', created.id, { name: created.name, userId: created.userId });
    return created;
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string, @Req() req: Request): Promise<void> {
    const me = principalOf(req);
    const revoked = await this.tokens.revoke(id, { userId: me.userId, admin: me.admin });
    await this.audit.record(actorOf(req), 'security.api-token.revoke', id, { name: revoked.name, userId: revoked.userId });
  }
}
