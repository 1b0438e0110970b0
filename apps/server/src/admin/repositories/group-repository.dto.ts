import { RepositoryBaseDto } from './repository-base.dto';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsNotEmptyObject, IsString, ValidateIf, ValidateNested } from 'class-validator';
import { ProxyStorageDto } from './proxy-repository.dto';

export class GroupSettingsDto {
  @IsArray()
  @ArrayMinSize(1, { message: 'group.memberNames must name at least one repository' })
  @IsString({ each: true })
  memberNames!: string[];

  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsString()
  writableMember?: string | null;
}

export class GroupRepositoryDto extends RepositoryBaseDto {
  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => ProxyStorageDto)
  storage!: ProxyStorageDto;

  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => GroupSettingsDto)
  group!: GroupSettingsDto;
}
