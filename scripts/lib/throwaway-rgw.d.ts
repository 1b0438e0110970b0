// Types of throwaway-rgw.js, for the TypeScript test setup.
export interface RgwServer {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly dir: string;
  /** The monitor's, the OSD's and the gateway's process ids (CPU accounting in benchmarks). */
  readonly pids: number[];
  stop(): Promise<void>;
}
export declare function startRgw(options?: { storeBytes?: number }): Promise<RgwServer>;
