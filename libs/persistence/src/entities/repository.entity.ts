import { CreateDateColumn, Entity, UpdateDateColumn } from 'typeorm';
import { Flag, Integer, RepositoryName, Text, Varchar } from './columns';

@Entity('repositories')
export class RepositoryEntity {
  @RepositoryName({ primary: true }) name!: string;
  @Varchar(16) type!: string;
  @Flag({ default: true }) online!: boolean;
  @Integer({ nullable: true, unique: true }) httpPort!: number | null;
  /** The full configuration as JSON; upstream secrets inside it are encrypted. */
  @Text() config!: string;
  @CreateDateColumn() createdAt!: Date;
  @UpdateDateColumn() updatedAt!: Date;
}
