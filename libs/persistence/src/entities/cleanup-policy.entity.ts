import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A named cleanup policy; repositories name the policies that apply to them in `cleanup.policyNames`. */
@Entity('cleanup_policies')
export class CleanupPolicyEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  format!: string;

  @Column({ type: 'text', default: '' })
  notes!: string;

  /** The criteria as JSON (see registry-core's CleanupCriteria). */
  @Column({ type: 'text' })
  criteria!: string;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
