import { RepositoryBaseDto } from './repository-base.dto';
import { ArrayMinSize, IsArray, IsString, ValidateIf } from 'class-validator';
import { ProxyStorageDto } from './proxy-repository.dto';
import { NestedObject } from '../../http/nested-dto';

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
  @NestedObject(() => ProxyStorageDto)
  storage!: ProxyStorageDto;

  @NestedObject(() => GroupSettingsDto)
  group!: GroupSettingsDto;
}
