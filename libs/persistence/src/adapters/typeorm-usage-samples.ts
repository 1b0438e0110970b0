import { type UsageSample, type UsageSamples } from '@wharf/registry-core';
import { LessThan, MoreThanOrEqual } from 'typeorm';
import { BlobStoreSampleEntity } from '../entities';
import { TableAdapter } from './table-adapter';

export class TypeOrmUsageSamples extends TableAdapter(BlobStoreSampleEntity) implements UsageSamples {
  async record(sample: UsageSample): Promise<void> {
    await this.rows.insert({ ...sample });
  }

  async since(store: string, since: Date): Promise<UsageSample[]> {
    return (await this.rows.find({ where: { store, at: MoreThanOrEqual(since) }, order: { at: 'ASC', id: 'ASC' } })).map(toSample);
  }

  async latest(store: string): Promise<UsageSample | null> {
    const row = await this.rows.findOne({ where: { store }, order: { at: 'DESC', id: 'DESC' } });
    return row ? toSample(row) : null;
  }

  async prune(before: Date): Promise<void> {
    await this.rows.delete({ at: LessThan(before) });
  }
}

function toSample(row: BlobStoreSampleEntity): UsageSample {
  return { store: row.store, at: row.at, blobCount: row.blobCount, totalBytes: row.totalBytes, availableBytes: row.availableBytes };
}
