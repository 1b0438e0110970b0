import { CLEANUP_POLICY_NAME } from '@wharf/api-types';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, ValidateIf } from 'class-validator';
import { OptionalNestedObject } from '../../http/nested-dto';

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
  @Matches(CLEANUP_POLICY_NAME, { message: 'name must be 1 to 200 letters, digits, ".", "_" or "-", starting with a letter or digit' })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  notes?: string;

  @IsIn(['docker'], { message: 'format must be "docker"' })
  format!: 'docker';
}

/** A preview's inline policy: criteria, and the policy's other fields when a client sends a whole policy (ignored). */
export class CleanupPreviewPolicyDto extends CleanupCriteriaDto {
  @IsOptional()
  @IsString()
  name?: string;

  @IsOptional()
  @IsString()
  notes?: string;

  @IsOptional()
  @IsIn(['docker'], { message: 'format must be "docker"' })
  format?: 'docker';
}

export class CleanupPreviewDto {
  @IsString()
  repository!: string;

  @IsOptional()
  @IsString()
  policyName?: string;

  @OptionalNestedObject(() => CleanupPreviewPolicyDto)
  policy?: CleanupPreviewPolicyDto;
}
