export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  /** Hex SHA-256 of the secret; the secret itself is never stored. */
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/** Port: the API tokens of local users. */
export abstract class ApiTokenStore {
  abstract insert(token: ApiTokenRecord): Promise<void>;
  abstract get(id: string): Promise<ApiTokenRecord | null>;
  abstract byHash(tokenHash: string): Promise<ApiTokenRecord | null>;
  /** Every token, or one user's, oldest first. */
  abstract list(userId?: string): Promise<ApiTokenRecord[]>;
  /** Records when a token was last used. */
  abstract touch(id: string, at: Date): Promise<void>;
  abstract delete(id: string): Promise<boolean>;
  /** Deletes every token of a user; returns how many. */
  abstract deleteForUser(userId: string): Promise<number>;
}
