import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('tags')
@Index('idx_tags_digest', ['repository', 'image', 'digest'])
export class TagEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  repository!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  image!: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 160 })
  digest!: string;

  @Column({ type: Date })
  updatedAt!: Date;

  @Column({ type: Date, nullable: true })
  verifiedAt!: Date | null;
}
