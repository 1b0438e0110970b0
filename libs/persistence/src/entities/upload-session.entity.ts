import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('upload_sessions')
@Index('idx_upload_sessions_repository', ['repository'])
export class UploadSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  repository!: string;

  @Column({ type: 'varchar', length: 255 })
  image!: string;

  @Column({ type: Date })
  createdAt!: Date;
}
