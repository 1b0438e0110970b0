import type { AuditEventRecord, AuditStore } from '@wharf/registry-core';

export interface AuditActor {
  /** The authenticated user, null for an unauthenticated caller. */
  userId: string | null;
  address: string | null;
}

export interface AuditLogger {
  error(message: string): void;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|credential/i;

/** Audit log of configuration changes and authentication failures, kept in the database. */
export class AuditLog {
  constructor(
    private readonly store: AuditStore,
    private readonly log: AuditLogger,
  ) {}

  /** Appends an event; never throws (a failed audit write is logged, the operation it describes stands). */
  async record(actor: AuditActor, action: string, target: string | null, details: Record<string, unknown> = {}): Promise<void> {
    try {
      await this.store.append({
        at: new Date(),
        actor: actor.userId?.slice(0, 100) ?? null,
        address: actor.address?.slice(0, 100) ?? null,
        action,
        target: target?.slice(0, 300) ?? null,
        details: withoutSecrets(details) as Record<string, unknown>,
      });
    } catch (err) {
      this.log.error(`audit event ${action} not stored: ${(err as Error).message}`);
    }
  }

  list(limit: number, before?: number): Promise<AuditEventRecord[]> {
    return this.store.list(limit, before);
  }
}

/** A copy without any value stored under a key that names a secret (defence in depth: callers pass none). */
export function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEY.test(k)) continue;
    out[k] = withoutSecrets(v, depth + 1);
  }
  return out;
}
