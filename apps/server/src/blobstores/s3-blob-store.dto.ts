import { Equals, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { NestedObject, OptionalNestedObject } from '../http/nested-dto';

/** Blob store names: letters, digits and `._-`, not starting with a dot (Nexus's rule). */
export const BLOB_STORE_NAME = /^[a-zA-Z0-9_-][a-zA-Z0-9._-]{0,199}$/;

export class S3BucketDto {
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'bucketConfiguration.bucket.name must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)' })
  name!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(64)
  region!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^(?!\/)/, { message: 'bucketConfiguration.bucket.prefix must not start with "/"' })
  prefix?: string;

  @IsOptional()
  @IsInt()
  @Min(-1)
  expiration?: number;
}

export class S3BucketSecurityDto {
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  accessKeyId!: string;

  /** Required when a store is created; on an update, absent or empty keeps the stored one. */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  secretAccessKey?: string;
}

export class S3AdvancedConnectionDto {
  @ValidateIf((_, v) => v !== null && v !== undefined && v !== '')
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'bucketConfiguration.advancedBucketConnection.endpoint must be an http(s) URL' })
  endpoint?: string | null;

  @IsOptional()
  @IsBoolean()
  forcePathStyle?: boolean;

  /** Wharf extension: answer whole-blob downloads with a 307 to a presigned URL. */
  @IsOptional()
  @IsBoolean()
  redirect?: boolean;
}

export class S3BucketConfigurationDto {
  @NestedObject(() => S3BucketDto)
  bucket!: S3BucketDto;

  @OptionalNestedObject(() => S3BucketSecurityDto)
  bucketSecurity?: S3BucketSecurityDto | null;

  @OptionalNestedObject(() => S3AdvancedConnectionDto)
  advancedBucketConnection?: S3AdvancedConnectionDto | null;

  /** Server-side encryption settings are not supported: only null (or absent) is accepted, never ignored. */
  @IsOptional()
  @Equals(null, { message: 'bucketConfiguration.encryption is not supported by Wharf: it must be null' })
  encryption?: null;
}

/** Nexus's S3 blob store JSON (softQuota and encryption are not supported: only null is accepted). */
export class S3BlobStoreDto {
  @Matches(BLOB_STORE_NAME, { message: 'name must be letters, digits, ".", "_" or "-", not starting with "."' })
  name!: string;

  /** What GET answers (Nexus writes it in capitals); accepted back so a GET -> PUT round trip works. */
  @IsOptional()
  @IsIn(['s3', 'S3'], { message: 'type must be s3' })
  type?: 's3' | 'S3';

  @IsOptional()
  @Equals(null, { message: 'softQuota is not supported by Wharf on blob stores: it must be null' })
  softQuota?: null;

  @NestedObject(() => S3BucketConfigurationDto)
  bucketConfiguration!: S3BucketConfigurationDto;
}
