import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One entry of the audit log: a configuration change or an authentication failure. */
@Entity('audit_events')
@Index('idx_audit_events_at', ['at'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: Date })
  at!: Date;

  /** Who did it (user id), null when unauthenticated. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  actor!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  address!: string | null;

  /** e.g. repository.create, security.user.update, authentication.failure */
  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  target!: string | null;

  /** JSON object without secrets. */
  @Column({ type: 'text', default: '{}' })
  details!: string;
}
