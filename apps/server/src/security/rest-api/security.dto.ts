import { EMAIL_ADDRESS, PASSWORD_MAX_LENGTH, ROLE_ID, USER_ID } from '@wharf/api-types';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

const STATUSES = ['active', 'disabled'] as const;

/** Fields Nexus's GET returns for users and roles: accepted back (GET -> PUT round trips) and ignored. */
abstract class ReadOnlyEchoDto {
  @IsOptional()
  @IsString()
  source?: string;

  @IsOptional()
  @IsBoolean()
  readOnly?: boolean;
}

/** `PUT /security/users/{id}` (Nexus's ApiUser; source, readOnly and externalRoles are ignored). */
export class UserDto extends ReadOnlyEchoDto {
  @IsString()
  @Matches(USER_ID, { message: 'userId must be 1-100 letters, digits and . _ @ + - (starting with a letter or digit)' })
  userId!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  firstName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  lastName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  @ValidateIf((o: UserDto) => typeof o.emailAddress === 'string' && o.emailAddress !== '')
  @Matches(EMAIL_ADDRESS, { message: 'emailAddress must be an email address' })
  emailAddress?: string;

  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  roles?: string[];

  @IsOptional()
  @IsArray()
  externalRoles?: unknown[];
}

/** `POST /security/users`: the user and its first password. */
export class CreateUserDto extends UserDto {
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}

/** `POST|PUT /security/roles` (Nexus's RoleXO). */
export class RoleDto extends ReadOnlyEchoDto {
  @IsString()
  @Matches(ROLE_ID, { message: 'id must be 1-100 letters, digits and . _ - (starting with a letter or digit)' })
  id!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  privileges?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  roles?: string[];
}

/** `POST /security/api-tokens`. */
export class CreateApiTokenDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @IsOptional()
  @ValidateIf((o: CreateApiTokenDto) => o.expiresAt !== null)
  @IsISO8601({ strict: true })
  expiresAt?: string | null;
}
