import { type UploadSession, UploadSessions } from '@wharf/registry-core';
import { type DataSource, LessThan, type Repository } from 'typeorm';
import { UploadSessionEntity } from '../entities';

export class TypeOrmUploadSessions extends UploadSessions {
  private readonly sessions: Repository<UploadSessionEntity>;

  constructor(db: DataSource) {
    super();
    this.sessions = db.getRepository(UploadSessionEntity);
  }

  async create(session: UploadSession): Promise<void> {
    await this.sessions.insert(session);
  }

  async get(id: string): Promise<UploadSession | null> {
    return this.sessions.findOneBy({ id });
  }

  async delete(id: string): Promise<void> {
    await this.sessions.delete({ id });
  }

  async olderThan(before: Date): Promise<UploadSession[]> {
    return this.sessions.findBy({ createdAt: LessThan(before) });
  }
}
