import { Entity, Index } from 'typeorm';
import { ImageName, RepositoryName, Timestamp, Varchar } from './columns';

@Entity('upload_sessions')
@Index('idx_upload_sessions_repository', ['repository'])
export class UploadSessionEntity {
  @Varchar(64, { primary: true }) id!: string;
  @RepositoryName() repository!: string;
  @ImageName() image!: string;
  @Timestamp() createdAt!: Date;
}
