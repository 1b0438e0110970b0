export interface UploadSession {
  id: string;
  repository: string;
  image: string;
  createdAt: Date;
}

/** Port: who owns an upload session (its bytes live in the blob store's upload area). */
export abstract class UploadSessions {
  abstract create(session: UploadSession): Promise<void>;
  abstract get(id: string): Promise<UploadSession | null>;
  abstract delete(id: string): Promise<void>;
  /** Sessions started before `before` (for cleanup of abandoned uploads). */
  abstract olderThan(before: Date): Promise<UploadSession[]>;
}
