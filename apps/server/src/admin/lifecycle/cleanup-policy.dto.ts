import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';

/** Policy names: letters, digits, `.`, `_`, `-` (they appear in repository JSON and URLs). */
export const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** The criteria of a cleanup policy as JSON (also the inline policy of a preview). */
export class CleanupCriteriaDto {
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  criteriaLastBlobUpdated?: number | null;

  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  criteriaLastDownloaded?: number | null;

  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  criteriaAssetRegex?: string | null;

  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  retain?: number | null;

  @IsOptional()
  @IsBoolean()
  criteriaUntagged?: boolean;
}

export class CleanupPolicyDto extends CleanupCriteriaDto {
  @Matches(POLICY_NAME, { message: 'name must be 1 to 200 letters, digits, ".", "_" or "-", starting with a letter or digit' })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  notes?: string;

  @IsIn(['docker'], { message: 'format must be "docker"' })
  format!: 'docker';
}

export class CleanupPreviewDto {
  @IsString()
  repository!: string;

  @IsOptional()
  @IsString()
  policyName?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => CleanupCriteriaDto)
  policy?: CleanupCriteriaDto;
}
