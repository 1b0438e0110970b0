import { Type } from 'class-transformer';
import { Equals, IsArray, IsBoolean, IsInt, IsNotEmptyObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';

/** Repository names are the first path segment of image names on the main port, so they follow Docker's component grammar. */
export const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

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
  @Min(1)
  @Max(65535)
  httpPort!: number | null;

  @ValidateIf((_, v) => v !== null && v !== undefined)
  @Equals(null, { message: 'docker.httpsPort must be null: terminate TLS in front of Wharf' })
  httpsPort?: number | null;

  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsString()
  @MaxLength(63)
  subdomain?: string | null;

  @IsOptional()
  @IsBoolean()
  pathEnabled?: boolean;
}

/** The fields every repository type shares (Nexus JSON); each type adds its own storage and settings. */
export abstract class RepositoryBaseDto {
  @IsString()
  @MaxLength(200)
  @Matches(REPOSITORY_NAME, {
    message: 'name must be lower case letters and digits, optionally separated by ".", "_", "__" or "-" (it is used in image names)',
  })
  name!: string;

  @IsBoolean()
  online!: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => CleanupDto)
  cleanup?: CleanupDto | null;

  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => DockerDto)
  docker!: DockerDto;
}
