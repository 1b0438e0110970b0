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

/** A new user's id equals a stored user's id regardless of case (or exactly: created meanwhile elsewhere). */
export class UserIdTakenError extends Error {
  constructor(readonly userId: string) {
    super(`a user with the id ${userId} exists already (user ids are unique regardless of case)`);
  }
}

/** Port: the user accounts of the local realm. User ids are unique regardless of case. */
export abstract class UserStore {
  abstract get(userId: string): Promise<UserRecord | null>;
  /** Every user, ordered by id. */
  abstract list(): Promise<UserRecord[]>;
  /**
   * Inserts or replaces. Throws UserIdTakenError when inserting an id that another user has in any case;
   * users stored before the rule (`ADMIN` next to `admin`) are kept and may still be replaced.
   */
  abstract save(user: UserRecord): Promise<void>;
  abstract delete(userId: string): Promise<boolean>;
}
