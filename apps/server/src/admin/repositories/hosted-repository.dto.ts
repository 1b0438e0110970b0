import { Type } from 'class-transformer';
import { RepositoryBaseDto } from './repository-base.dto';
import { Equals, IsBoolean, IsIn, IsNotEmptyObject, IsOptional, ValidateNested } from 'class-validator';


export class StorageDto {
  @Equals('default', { message: 'storage.blobStoreName must be "default" (the only blob store)' })
  blobStoreName!: string;

  @IsBoolean()
  strictContentTypeValidation!: boolean;

  @IsIn(['ALLOW', 'ALLOW_ONCE', 'DENY'])
  writePolicy!: 'ALLOW' | 'ALLOW_ONCE' | 'DENY';

  @IsOptional()
  @IsBoolean()
  latestPolicy?: boolean;
}



export class HostedRepositoryDto extends RepositoryBaseDto {
  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => StorageDto)
  storage!: StorageDto;
}
