import { CreateDateColumn, Entity, UpdateDateColumn } from 'typeorm';
import type { CleanupCriteria } from '@wharf/registry-core';
import { Json, Text, Varchar } from './columns';

/** A named cleanup policy; repositories name the policies that apply to them in `cleanup.policyNames`. */
@Entity('cleanup_policies')
export class CleanupPolicyEntity {
  @Varchar(200, { primary: true }) name!: string;
  @Varchar(32) format!: string;
  @Text({ default: '' }) notes!: string;
  /** The criteria as JSON (see registry-core's CleanupCriteria). */
  @Json() criteria!: CleanupCriteria;
  @CreateDateColumn() createdAt!: Date;
  @UpdateDateColumn() updatedAt!: Date;
}
