/** A role of the local authorization realm: privileges, and other roles it contains. */
export interface RoleRecord {
  id: string;
  name: string;
  description: string;
  privileges: string[];
  roles: string[];
  /** Built-in roles cannot be changed or deleted. */
  readOnly: boolean;
}

/** Port: the roles of the local authorization realm. */
export abstract class RoleStore {
  abstract get(id: string): Promise<RoleRecord | null>;
  /** Every role, ordered by id. */
  abstract list(): Promise<RoleRecord[]>;
  /** Inserts or replaces. */
  abstract save(role: RoleRecord): Promise<void>;
  abstract delete(id: string): Promise<boolean>;
}
