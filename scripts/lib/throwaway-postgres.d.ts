// Types of throwaway-postgres.js, for the TypeScript test setup.
export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:PORT: the superuser, trust authentication, no database named. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}
export declare function startPostgres(options?: { keep?: boolean }): Promise<ThrowawayPostgres>;
