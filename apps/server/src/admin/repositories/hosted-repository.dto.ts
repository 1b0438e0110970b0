import { BLOB_STORE_NAME } from '../../blobstores/s3-blob-store.dto';
import { RepositoryBaseDto } from './repository-base.dto';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { NestedObject } from '../../http/nested-dto';


export class StorageDto {
  @Matches(BLOB_STORE_NAME, { message: 'storage.blobStoreName must be the name of a blob store ("default", or one created under /service/rest/v1/blobstores)' })
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
  @NestedObject(() => StorageDto)
  storage!: StorageDto;
}
