import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsNotEmptyObject, IsOptional, IsString, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { CleanupDto, DockerDto, REPOSITORY_NAME } from './hosted-repository.dto';
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

export class GroupRepositoryDto {
  @IsString()
  @MaxLength(200)
  @Matches(REPOSITORY_NAME, {
    message: 'name must be lower case letters and digits, optionally separated by ".", "_", "__" or "-" (it is used in image names)',
  })
  name!: string;

  @IsBoolean()
  online!: boolean;

  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => ProxyStorageDto)
  storage!: ProxyStorageDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => CleanupDto)
  cleanup?: CleanupDto | null;

  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => GroupSettingsDto)
  group!: GroupSettingsDto;

  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => DockerDto)
  docker!: DockerDto;
}
