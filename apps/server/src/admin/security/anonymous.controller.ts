import { Body, Controller, Get, Put, UseGuards } from '@nestjs/common';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { AdminGuard } from '../../auth/admin.guard';
import { AnonymousAccess, type AnonymousSettings } from '../../auth/anonymous-access';

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
@UseGuards(AdminGuard)
export class AnonymousController {
  constructor(private readonly anonymous: AnonymousAccess) {}

  @Get()
  get(): AnonymousSettings {
    return this.anonymous.get();
  }

  @Put()
  async put(@Body() dto: AnonymousSettingsDto): Promise<AnonymousSettings> {
    await this.anonymous.update({
      enabled: dto.enabled,
      userId: dto.userId ?? 'anonymous',
      realmName: dto.realmName ?? 'NexusAuthorizingRealm',
    });
    return this.anonymous.get();
  }
}
