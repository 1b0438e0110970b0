/** A key that signs (the newest) or verifies registry tokens. */
export interface TokenKeyRecord {
  kid: string;
  /** At least 256 random bits. */
  secret: Buffer;
  createdAt: Date;
}

/**
 * Port: the registry token-signing keys, shared by every process on the database so that a token
 * signed by one replica verifies on all of them. Implementations keep the secrets encrypted at rest.
 */
export abstract class TokenKeyStore {
  /** Every key, newest first. */
  abstract list(): Promise<TokenKeyRecord[]>;
  abstract add(key: TokenKeyRecord): Promise<void>;
  /** Removes every key but the `keep` newest. */
  abstract prune(keep: number): Promise<void>;
}
