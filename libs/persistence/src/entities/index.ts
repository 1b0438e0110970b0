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
import { BlobClaimEntity } from './blob-claim.entity';
import { BlobDeletionEntity } from './blob-deletion.entity';
import { BlobStoreSampleEntity } from './blob-store-sample.entity';
import { CleanupPolicyEntity } from './cleanup-policy.entity';
import { TaskEntity } from './task.entity';
import { TaskRunEntity } from './task-run.entity';
import { TokenKeyEntity } from './token-key.entity';
import { LoginFailureEntity, LoginSuccessEntity } from './login-attempt.entity';

export { ApiTokenEntity, AuditEventEntity, BlobClaimEntity, BlobStoreEntity, BlobDeletionEntity, BlobStoreSampleEntity, CleanupPolicyEntity, TaskEntity, TaskRunEntity, TokenKeyEntity, LoginFailureEntity, LoginSuccessEntity, BlobLinkEntity, ManifestEntity, ManifestReferenceEntity, RepositoryEntity, SettingEntity, TagEntity, UploadSessionEntity, UserEntity, RoleEntity };

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
  BlobClaimEntity,
  BlobDeletionEntity,
  CleanupPolicyEntity,
  TaskEntity,
  TaskRunEntity,
  BlobStoreSampleEntity,
  TokenKeyEntity,
  LoginFailureEntity,
  LoginSuccessEntity,
];
