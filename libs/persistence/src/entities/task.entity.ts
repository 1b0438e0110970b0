import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A scheduled task and its lease: a run holds the lease (owner, expiry) and renews it while it works, so
 * one run at a time holds across processes sharing the database; a run that died frees it at expiry.
 */
@Entity('tasks')
export class TaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  type!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The schedule as JSON ({type: manual|hourly|daily|every, ...}). */
  @Column({ type: 'text' })
  schedule!: string;

  /** Task settings as JSON. */
  @Column({ type: 'text', default: '{}' })
  properties!: string;

  @Column({ type: Date, nullable: true })
  nextRunAt!: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  leaseOwner!: string | null;

  @Column({ type: Date, nullable: true })
  leaseExpiresAt!: Date | null;

  /** Set by a stop request; the running process sees it when it renews the lease. */
  @Column({ type: 'boolean', default: false })
  stopRequested!: boolean;
}
