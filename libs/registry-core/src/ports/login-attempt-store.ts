/** One key's recent failures, as the login throttle asks for them. */
export interface FailureQuery {
  key: string;
  /** Only failures recorded after this time (ms since the epoch). */
  since: number;
  /** At most this many, the newest. */
  limit: number;
}

/**
 * Port: what the login throttle remembers. Failed logins under opaque keys (the throttle's: a user, a
 * client address, a user from an address), and successful logins under a key (a user from an address),
 * so that a user who logged in from an address before is not refused for what others did there.
 * Times are milliseconds since the epoch, given by the caller. Keys are at most 512 characters.
 *
 * One process keeps this in memory (MemoryLoginAttemptStore); replicas share a store in the database,
 * so that the limits hold for the whole deployment and not once per replica. Contract:
 * libs/registry-core/test/login-attempt-store.contract.ts.
 */
export abstract class LoginAttemptStore {
  /** For each query in order: the times of the failures recorded under its key after `since`, newest first. */
  abstract failures(queries: FailureQuery[]): Promise<number[][]>;
  /** Records one failure at `at` under every key. A failure may be forgotten once it is older than `keepMs`. */
  abstract addFailure(keys: string[], at: number, keepMs: number): Promise<void>;
  /** Forgets every failure recorded under the key. */
  abstract clearFailures(key: string): Promise<void>;
  /** Records a successful login under the key at `at` (replacing an older one). It may be forgotten after `keepMs`. */
  abstract addSuccess(key: string, at: number, keepMs: number): Promise<void>;
  /** When the last success recorded under the key happened; null when none is remembered. */
  abstract lastSuccess(key: string): Promise<number | null>;
}
