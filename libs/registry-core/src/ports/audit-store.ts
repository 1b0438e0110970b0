export interface AuditEventInput {
  at: Date;
  /** The authenticated user, null for an unauthenticated caller. */
  actor: string | null;
  address: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

export interface AuditEventRecord extends AuditEventInput {
  /** Increasing: a later event has a larger id. */
  id: number;
}

/** Port: the audit log, appended to and read newest first. */
export abstract class AuditStore {
  /** Stores an event; returns its id. */
  abstract append(event: AuditEventInput): Promise<number>;
  /** Up to `limit` events, newest first, only those with an id below `before` when given. */
  abstract list(limit: number, before?: number): Promise<AuditEventRecord[]>;
}
