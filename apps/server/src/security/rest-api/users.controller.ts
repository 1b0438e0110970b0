import { Body, Controller, Delete, ForbiddenException, Get, HttpCode, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { RestValidationError } from '../../http/validation';
import { AnonymousAccess } from '../domain/anonymous-access';
import { ApiTokensService } from '../domain/api-tokens.service';
import { AuditLog } from '../domain/audit';
import { SecurityInputError } from '../domain/errors';
import { AnyUser, actorOf, principalOf } from '../rest-auth/rest-principal';
import { RestAuthGuard } from '../rest-auth/rest-auth.guard';
import type { UserJson } from '@wharf/api-types';
import { MAX_PASSWORD_LENGTH, UsersService } from '../domain/users.service';
import { CreateUserDto, UserDto } from './security.dto';

/** Users of the local realm, in Nexus's shape (`/service/rest/v1/security/users`). Never a password. */
@Controller('service/rest/v1/security/users')
@UseGuards(RestAuthGuard)
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly apiTokens: ApiTokensService,
    private readonly anonymous: AnonymousAccess,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(@Query('userId') userId?: string, @Query('source') source?: string): Promise<UserJson[]> {
    if (source !== undefined && source !== 'default') return [];
    const all = await this.users.list();
    return userId ? all.filter((u) => u.userId.toLowerCase().startsWith(userId.toLowerCase())) : all;
  }

  /** 200 with the created user, as Nexus answers. */
  @Post()
  @HttpCode(200)
  async create(@Body() dto: CreateUserDto, @Req() req: Request): Promise<UserJson> {
    const { password, ...user } = dto;
    const created = await this.users.create(user, password);
    await this.audit.record(actorOf(req), 'security.user.create', created.userId, { status: created.status, roles: created.roles });
    return created;
  }

  @Put(':id')
  @HttpCode(204)
  async update(@Param('id') id: string, @Body() dto: UserDto, @Req() req: Request): Promise<void> {
    if (dto.userId !== id) throw new SecurityInputError('userId', `userId "${dto.userId}" in the body differs from "${id}" in the path; users cannot be renamed`);
    const me = principalOf(req);
    if (id === me.userId && dto.status === 'disabled') throw new SecurityInputError('status', 'you cannot disable your own account');
    const updated = await this.users.update(dto);
    await this.audit.record(actorOf(req), 'security.user.update', id, { status: updated.status, roles: updated.roles });
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Req() req: Request): Promise<void> {
    if (id === principalOf(req).userId) throw new SecurityInputError('userId', 'you cannot delete your own account');
    if (id === this.anonymous.get().userId) throw new SecurityInputError('userId', `${id} is the anonymous user; change the anonymous settings first`);
    await this.users.delete(id);
    await this.apiTokens.revokeAllOf(id);
    await this.audit.record(actorOf(req), 'security.user.delete', id);
  }

  /** The new password as text/plain (Nexus) or JSON {"password"}; users change their own, administrators anyone's. */
  @Put(':id/change-password')
  @AnyUser()
  @HttpCode(204)
  async changePassword(@Param('id') id: string, @Body() body: unknown, @Req() req: Request): Promise<void> {
    const me = principalOf(req);
    if (!me.admin && me.userId !== id) throw new ForbiddenException(`${me.userId} may change only their own password`);
    const password = typeof body === 'string' ? body : (body as { password?: unknown } | undefined)?.password;
    if (typeof password !== 'string' || password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
      throw new RestValidationError([{ id: 'password', message: `the new password must be 1-${MAX_PASSWORD_LENGTH} characters, as text/plain or JSON {"password"}` }]);
    }
    await this.users.changePassword(id, password);
    await this.audit.record(actorOf(req), 'security.user.change-password', id);
  }
}
