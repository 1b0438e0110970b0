import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { AuditLog } from '../domain/audit';
import { SecurityInputError } from '../domain/errors';
import { actorOf } from '../rest-auth/rest-principal';
import { RestAuthGuard } from '../rest-auth/rest-auth.guard';
import type { RoleJson } from '@wharf/api-types';
import { RolesService } from '../domain/roles.service';
import { RoleDto } from './security.dto';

/** Roles of the local realm (`/service/rest/v1/security/roles`, Nexus's RoleXO). */
@Controller('service/rest/v1/security/roles')
@UseGuards(RestAuthGuard)
export class RolesController {
  constructor(
    private readonly roles: RolesService,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  list(): Promise<RoleJson[]> {
    return this.roles.list();
  }

  @Post()
  @HttpCode(200)
  async create(@Body() dto: RoleDto, @Req() req: Request): Promise<RoleJson> {
    const role = await this.roles.create(dto);
    await this.audit.record(actorOf(req), 'security.role.create', role.id, { privileges: role.privileges, roles: role.roles });
    return role;
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<RoleJson> {
    return this.roles.get(id);
  }

  @Put(':id')
  @HttpCode(204)
  async update(@Param('id') id: string, @Body() dto: RoleDto, @Req() req: Request): Promise<void> {
    if (dto.id !== id) throw new SecurityInputError('id', `id "${dto.id}" in the body differs from "${id}" in the path; roles cannot be renamed`);
    const role = await this.roles.update(dto);
    await this.audit.record(actorOf(req), 'security.role.update', id, { privileges: role.privileges, roles: role.roles });
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Req() req: Request): Promise<void> {
    await this.roles.delete(id);
    await this.audit.record(actorOf(req), 'security.role.delete', id);
  }
}
