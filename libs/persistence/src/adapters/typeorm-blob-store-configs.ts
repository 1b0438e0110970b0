import type { BlobStoreConfig, BlobStoreConfigs, BlobStoreConfigSealer } from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { BlobStoreEntity } from '../entities';
import { TypeOrmNamedConfigs } from './typeorm-named-configs';

export class TypeOrmBlobStoreConfigs extends TypeOrmNamedConfigs<BlobStoreConfig, BlobStoreEntity> implements BlobStoreConfigs {
  constructor(db: DataSource, sealer?: BlobStoreConfigSealer) {
    super(db, BlobStoreEntity, sealer);
  }
}
