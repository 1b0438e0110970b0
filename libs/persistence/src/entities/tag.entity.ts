import { Entity, Index } from 'typeorm';
import { DigestColumn, ImageName, RepositoryName, Timestamp, Varchar } from './columns';

@Entity('tags')
@Index('idx_tags_digest', ['repository', 'image', 'digest'])
export class TagEntity {
  @RepositoryName({ primary: true }) repository!: string;
  @ImageName({ primary: true }) image!: string;
  @Varchar(128, { primary: true }) name!: string;
  @DigestColumn() digest!: string;
  @Timestamp() updatedAt!: Date;
  @Timestamp({ nullable: true }) verifiedAt!: Date | null;
}
