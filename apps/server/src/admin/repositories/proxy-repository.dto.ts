import { MAX_AGE_NEVER, UPSTREAM_PASSWORD_MAX_LENGTH, UPSTREAM_USERNAME_MAX_LENGTH } from '@wharf/api-types';
import { SafeRegex } from '@wharf/registry-core';
import { RepositoryBaseDto } from './repository-base.dto';
import { Type } from 'class-transformer';
import { BLOB_STORE_NAME } from '../../blobstores/s3-blob-store.dto';
import { ArrayMaxSize, Equals, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested, Validate, type ValidationArguments, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { NestedObject, OptionalNestedObject } from '../../http/nested-dto';

/** Tag patterns run on RE2 (linear time): what it cannot compile (backreferences, lookaround) is refused here. */
@ValidatorConstraint({ name: 'isSafeRegex' })
class IsSafeRegex implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && SafeRegex.problem(value) === null;
  }
  defaultMessage(args: ValidationArguments): string {
    const problem = typeof args.value === 'string' ? SafeRegex.problem(args.value) : 'it is not a string';
    return `$property must be a regular expression in RE2 syntax: ${problem}`;
  }
}

export class ProxyStorageDto {
  @Matches(BLOB_STORE_NAME, { message: 'storage.blobStoreName must be the name of a blob store ("default", or one created under /service/rest/v1/blobstores)' })
  blobStoreName!: string;

  @IsBoolean()
  strictContentTypeValidation!: boolean;
}

export class TagMaxAgeDto {
  @IsString()
  @MinLength(1)
  @Validate(IsSafeRegex)
  pattern!: string;

  @IsInt()
  @Min(MAX_AGE_NEVER)
  maxAge!: number;
}

export class ProxySettingsDto {
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'proxy.remoteUrl must be an http(s) URL' })
  remoteUrl!: string;

  @IsInt()
  @Min(MAX_AGE_NEVER)
  contentMaxAge!: number;

  @IsInt()
  @Min(MAX_AGE_NEVER)
  metadataMaxAge!: number;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TagMaxAgeDto)
  tagMaxAge?: TagMaxAgeDto[];

  /** Wharf: bytes the cache may hold before its least recently pulled images are evicted; null = no limit. */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt({ message: 'proxy.maxCacheSizeBytes must be a whole number of bytes, or null' })
  @Min(1)
  maxCacheSizeBytes?: number | null;
}

export class NegativeCacheDto {
  @IsBoolean()
  enabled!: boolean;

  @IsInt()
  @Min(0)
  timeToLive!: number;
}

export class AuthenticationDto {
  @IsIn(['username'], { message: 'httpClient.authentication.type must be "username"' })
  type!: 'username';

  @IsString()
  @MinLength(1)
  @MaxLength(UPSTREAM_USERNAME_MAX_LENGTH)
  username!: string;

  /** Write-only: omitted on update keeps the stored password. */
  @IsOptional()
  @IsString()
  @MaxLength(UPSTREAM_PASSWORD_MAX_LENGTH)
  password?: string;

  /** Nexus's NTLM fields: NTLM is not supported, so only null or '' is accepted. */
  @ValidateIf((_, v) => v !== null && v !== undefined && v !== '')
  @Equals(null, { message: 'httpClient.authentication.ntlmHost is not supported by Wharf (no NTLM): leave it null' })
  ntlmHost?: string | null;

  @ValidateIf((_, v) => v !== null && v !== undefined && v !== '')
  @Equals(null, { message: 'httpClient.authentication.ntlmDomain is not supported by Wharf (no NTLM): leave it null' })
  ntlmDomain?: string | null;
}

/** Nexus's connection settings: stored and returned; Wharf's upstream client keeps its own timeouts (15 s connect, 60 s idle) and does not retry. */
export class HttpConnectionDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  retries?: number | null;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  userAgentSuffix?: string | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  timeout?: number | null;

  @IsOptional()
  @IsBoolean()
  enableCircularRedirects?: boolean;

  @IsOptional()
  @IsBoolean()
  enableCookies?: boolean;

  @IsOptional()
  @IsBoolean()
  useTrustStore?: boolean;
}

export class HttpClientDto {
  @IsBoolean()
  blocked!: boolean;

  @IsBoolean()
  autoBlock!: boolean;

  @OptionalNestedObject(() => AuthenticationDto)
  authentication?: AuthenticationDto | null;

  @OptionalNestedObject(() => HttpConnectionDto)
  connection?: HttpConnectionDto | null;
}

export class DockerProxyDto {
  @IsIn(['HUB', 'REGISTRY', 'CUSTOM'])
  indexType!: 'HUB' | 'REGISTRY' | 'CUSTOM';

  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsUrl({ require_tld: false, require_protocol: true })
  indexUrl?: string | null;

  /** Nexus fetches "foreign" (non-distributable) layers from their URLs; Wharf does not, so only false is accepted. */
  @IsOptional()
  @Equals(false, { message: 'dockerProxy.cacheForeignLayers is not supported by Wharf: it must be false (foreign layers are not fetched)' })
  cacheForeignLayers?: boolean;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(0, { message: 'dockerProxy.foreignLayerUrlWhitelist is not supported by Wharf: it must be empty (foreign layers are not fetched)' })
  foreignLayerUrlWhitelist?: string[];
}

export class ProxyRepositoryDto extends RepositoryBaseDto {
  @NestedObject(() => ProxyStorageDto)
  storage!: ProxyStorageDto;

  @NestedObject(() => ProxySettingsDto)
  proxy!: ProxySettingsDto;

  @NestedObject(() => NegativeCacheDto)
  negativeCache!: NegativeCacheDto;

  @NestedObject(() => HttpClientDto)
  httpClient!: HttpClientDto;

  @OptionalNestedObject(() => DockerProxyDto)
  dockerProxy?: DockerProxyDto;
}
