import { type UploadSession, type UploadSessions } from '@wharf/registry-core';
import { LessThan } from 'typeorm';
import { UploadSessionEntity } from '../entities';
import { TableAdapter } from './table-adapter';

export class TypeOrmUploadSessions extends TableAdapter(UploadSessionEntity) implements UploadSessions {
  async create(session: UploadSession): Promise<void> {
    await this.rows.insert(session);
  }

  async get(id: string): Promise<UploadSession | null> {
    return this.rows.findOneBy({ id });
  }

  async delete(id: string): Promise<void> {
    await this.rows.delete({ id });
  }

  async olderThan(before: Date): Promise<UploadSession[]> {
    return this.rows.findBy({ createdAt: LessThan(before) });
  }
}
