import type { CleanupPolicyJson, CleanupPreviewJson } from '@wharf/api-types';
import { type CleanupCriteria, type CleanupPolicy, CriteriaError, validateCriteria } from '@wharf/registry-core';
import type { CleanupPreview } from '../../tasks/storage-lifecycle';
import type { CleanupCriteriaDto, CleanupPolicyDto } from './cleanup-policy.dto';
import { LifecycleInputError } from './lifecycle-errors';

/** The JSON field of each criterion. */
const JSON_FIELDS: Record<keyof CleanupCriteria | '*', string> = {
  lastBlobUpdated: 'criteriaLastBlobUpdated',
  lastDownloaded: 'criteriaLastDownloaded',
  regex: 'criteriaAssetRegex',
  retain: 'retain',
  untagged: 'criteriaUntagged',
  '*': '*',
};

/** Preview lists are capped (the totals are not). */
export const PREVIEW_ITEMS = 1000;

export function criteriaFromDto(dto: CleanupCriteriaDto): CleanupCriteria {
  const criteria: CleanupCriteria = {
    ...(dto.criteriaLastBlobUpdated != null ? { lastBlobUpdated: dto.criteriaLastBlobUpdated } : {}),
    ...(dto.criteriaLastDownloaded != null ? { lastDownloaded: dto.criteriaLastDownloaded } : {}),
    ...(dto.criteriaAssetRegex != null ? { regex: dto.criteriaAssetRegex } : {}),
    ...(dto.retain != null ? { retain: dto.retain } : {}),
    ...(dto.criteriaUntagged ? { untagged: true } : {}),
  };
  try {
    validateCriteria(criteria);
  } catch (err) {
    if (err instanceof CriteriaError) {
      const field = JSON_FIELDS[err.field];
      const message = err.field !== '*' && err.message.startsWith(err.field) ? field + err.message.slice(err.field.length) : err.message;
      throw new LifecycleInputError(field, message);
    }
    throw err;
  }
  return criteria;
}

export function policyFromDto(dto: CleanupPolicyDto): CleanupPolicy {
  return { name: dto.name, notes: dto.notes ?? '', format: 'docker', criteria: criteriaFromDto(dto) };
}

export function policyToJson(policy: CleanupPolicy): CleanupPolicyJson {
  const c = policy.criteria;
  return {
    name: policy.name,
    notes: policy.notes,
    format: 'docker',
    criteriaLastBlobUpdated: c.lastBlobUpdated ?? null,
    criteriaLastDownloaded: c.lastDownloaded ?? null,
    criteriaAssetRegex: c.regex ?? null,
    retain: c.retain ?? null,
    criteriaUntagged: c.untagged ?? false,
  };
}

export function previewToJson(preview: CleanupPreview): CleanupPreviewJson {
  return {
    repository: preview.repository,
    items: preview.items.slice(0, PREVIEW_ITEMS).map((i) => ({
      image: i.image,
      tag: i.tag,
      digest: i.digest,
      lastUpdated: i.lastUpdated.toISOString(),
      lastDownloaded: i.lastDownloaded?.toISOString() ?? null,
    })),
    truncated: preview.items.length > PREVIEW_ITEMS,
    totals: preview.totals,
  };
}
