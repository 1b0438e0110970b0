import { Entity } from 'typeorm';
import { Flag, Text, Timestamp, Varchar } from './columns';

/**
 * A scheduled task and its lease: a run holds the lease (owner, expiry) and renews it while it works, so
 * one run at a time holds across processes sharing the database; a run that died frees it at expiry.
 */
@Entity('tasks')
export class TaskEntity {
  @Varchar(100, { primary: true }) id!: string;
  @Varchar(100) type!: string;
  @Varchar(200) name!: string;
  /** The schedule as JSON ({type: manual|hourly|daily|every, ...}). */
  @Text() schedule!: string;
  /** Task settings as JSON. */
  @Text({ default: '{}' }) properties!: string;
  @Timestamp({ nullable: true }) nextRunAt!: Date | null;
  @Varchar(64, { nullable: true }) leaseOwner!: string | null;
  @Timestamp({ nullable: true }) leaseExpiresAt!: Date | null;
  /** Set by a stop request; the running process sees it when it renews the lease. */
  @Flag({ default: false }) stopRequested!: boolean;
}
