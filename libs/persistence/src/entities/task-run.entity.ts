import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One run of a task: when, how it ended, what it did (summary JSON) and its log. */
@Entity('task_runs')
@Index('idx_task_runs_task', ['taskId', 'startedAt'])
export class TaskRunEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  taskId!: string;

  @Column({ type: Date })
  startedAt!: Date;

  @Column({ type: Date, nullable: true })
  finishedAt!: Date | null;

  /** RUNNING, OK, FAILED, STOPPED, or INTERRUPTED (its process died). */
  @Column({ type: 'varchar', length: 16 })
  result!: string;

  @Column({ type: 'text', default: '{}' })
  summary!: string;

  @Column({ type: 'text', default: '' })
  log!: string;
}
