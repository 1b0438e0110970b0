import type { CleanupPolicy } from '../lifecycle/cleanup-policy';

/** Port: the named cleanup policies (repositories name theirs in `cleanup.policyNames`). */
export abstract class CleanupPolicyStore {
  abstract list(): Promise<CleanupPolicy[]>;
  abstract get(name: string): Promise<CleanupPolicy | null>;
  /** Inserts or replaces. */
  abstract save(policy: CleanupPolicy): Promise<void>;
  abstract delete(name: string): Promise<boolean>;
}
