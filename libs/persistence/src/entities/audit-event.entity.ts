import { Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Text, Timestamp, Varchar } from './columns';

/** One entry of the audit log: a configuration change or an authentication failure. */
@Entity('audit_events')
@Index('idx_audit_events_at', ['at'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Timestamp() at!: Date;
  /** Who did it (user id), null when unauthenticated. */
  @Varchar(100, { nullable: true }) actor!: string | null;
  @Varchar(100, { nullable: true }) address!: string | null;
  /** e.g. repository.create, security.user.update, authentication.failure */
  @Varchar(100) action!: string;
  @Varchar(300, { nullable: true }) target!: string | null;
  /** JSON object without secrets. */
  @Text({ default: '{}' }) details!: string;
}
