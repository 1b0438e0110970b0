import { BlobLinkEntity } from './blob-link.entity';
import { ManifestReferenceEntity } from './manifest-reference.entity';
import { ManifestEntity } from './manifest.entity';
import { RepositoryEntity } from './repository.entity';
import { TagEntity } from './tag.entity';
import { UploadSessionEntity } from './upload-session.entity';
import { SettingEntity } from './setting.entity';
import { UserEntity } from './user.entity';
import { RoleEntity } from './role.entity';
import { ApiTokenEntity } from './api-token.entity';
import { AuditEventEntity } from './audit-event.entity';
import { BlobStoreEntity } from './blob-store.entity';

export { ApiTokenEntity, AuditEventEntity, BlobLinkEntity, BlobStoreEntity, ManifestEntity, ManifestReferenceEntity, RepositoryEntity, SettingEntity, TagEntity, UploadSessionEntity, UserEntity, RoleEntity };

export const ENTITIES = [
  RepositoryEntity,
  ManifestEntity,
  ManifestReferenceEntity,
  TagEntity,
  BlobLinkEntity,
  UploadSessionEntity,
  UserEntity,
  SettingEntity,
  RoleEntity,
  ApiTokenEntity,
  AuditEventEntity,
  BlobStoreEntity,
];
