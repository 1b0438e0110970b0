/** What the status endpoints ask of the metadata database: does it answer? (The composition root implements it.) */
export abstract class DatabaseHealth {
  /** Resolves when the database answers a trivial query; rejects with its error otherwise. */
  abstract check(): Promise<void>;
}
