import { PORT_MAX, PORT_MIN, REPOSITORY_NAME, REPOSITORY_NAME_MAX_LENGTH, SUBDOMAIN_MAX_LENGTH } from '@wharf/api-types';
import { Equals, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { NestedObject, OptionalNestedObject } from '../../http/nested-dto';

export class CleanupDto {
  @IsArray()
  @IsString({ each: true })
  policyNames!: string[];
}

export class DockerDto {
  @Equals(false, { message: 'docker.v1Enabled must be false: the Docker v1 API is not supported' })
  v1Enabled!: boolean;

  @IsBoolean()
  forceBasicAuth!: boolean;

  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(PORT_MIN)
  @Max(PORT_MAX)
  httpPort!: number | null;

  /** An HTTPS connector: needs Wharf started with WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY (checked by the service). */
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(PORT_MIN)
  @Max(PORT_MAX)
  httpsPort?: number | null;

  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsString()
  @MaxLength(SUBDOMAIN_MAX_LENGTH)
  subdomain?: string | null;

  @IsOptional()
  @IsBoolean()
  pathEnabled?: boolean;
}

/** The fields every repository type shares (Nexus JSON); each type adds its own storage and settings. */
export abstract class RepositoryBaseDto {
  /** Returned by GET; accepted back (a GET -> PUT round trip) when it says docker. */
  @IsOptional()
  @Equals('docker', { message: 'format must be "docker": Wharf has Docker repositories only' })
  format?: string;

  /** Returned by GET; accepted back, and must match the endpoint (checked by the controller). */
  @IsOptional()
  @IsIn(['hosted', 'proxy', 'group'])
  type?: string;

  /** Returned by GET (derived from the name and the base URL); ignored when sent back. */
  @IsOptional()
  @IsString()
  url?: string;

  /** Nexus's routing rules (which paths a proxy may fetch) do not exist in Wharf: only null is accepted. */
  @IsOptional()
  @Equals(null, { message: 'routingRule is not supported by Wharf: it must be null' })
  routingRule?: string | null;

  @IsOptional()
  @Equals(null, { message: 'routingRuleName is not supported by Wharf: it must be null' })
  routingRuleName?: string | null;

  @IsString()
  @MaxLength(REPOSITORY_NAME_MAX_LENGTH)
  @Matches(REPOSITORY_NAME, {
    message: 'name must be lower case letters and digits, optionally separated by ".", "_", "__" or "-" (it is used in image names)',
  })
  name!: string;

  @IsBoolean()
  online!: boolean;

  @OptionalNestedObject(() => CleanupDto)
  cleanup?: CleanupDto | null;

  @NestedObject(() => DockerDto)
  docker!: DockerDto;
}
