import { Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Text, Timestamp, Varchar } from './columns';

/** One run of a task: when, how it ended, what it did (summary JSON) and its log. */
@Entity('task_runs')
@Index('idx_task_runs_task', ['taskId', 'startedAt'])
export class TaskRunEntity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id!: number;
  @Varchar(100) taskId!: string;
  @Timestamp() startedAt!: Date;
  @Timestamp({ nullable: true }) finishedAt!: Date | null;
  /** RUNNING, OK, FAILED, STOPPED, or INTERRUPTED (its process died). */
  @Varchar(16) result!: string;
  @Text({ default: '{}' }) summary!: string;
  @Text({ default: '' }) log!: string;
}
