/** A blob store's size at one moment. */
export interface UsageSample {
  store: string;
  at: Date;
  blobCount: number;
  totalBytes: number;
  availableBytes: number | null;
}

/** Port: measurements of blob store sizes over time (the dashboard's chart, the quota status). */
export abstract class UsageSamples {
  abstract record(sample: UsageSample): Promise<void>;
  /** Samples of `store` since `since`, oldest first. */
  abstract since(store: string, since: Date): Promise<UsageSample[]>;
  abstract latest(store: string): Promise<UsageSample | null>;
  /** Drops samples older than `before`. */
  abstract prune(before: Date): Promise<void>;
}
