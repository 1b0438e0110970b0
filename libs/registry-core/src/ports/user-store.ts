/** A local-realm user account as stored. */
export interface UserRecord {
  userId: string;
  firstName: string;
  lastName: string;
  emailAddress: string;
  /** `scrypt$N$r$p$salt$hash`; null for a user that never logs in with a password (anonymous). */
  passwordHash: string | null;
  status: 'active' | 'disabled';
  roles: string[];
}

/** Port: the user accounts of the local realm. */
export abstract class UserStore {
  abstract get(userId: string): Promise<UserRecord | null>;
  /** Every user, ordered by id. */
  abstract list(): Promise<UserRecord[]>;
  /** Inserts or replaces. */
  abstract save(user: UserRecord): Promise<void>;
  abstract delete(userId: string): Promise<boolean>;
}
