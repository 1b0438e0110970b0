// Types of server-runtime.js, for the TypeScript test harness.
export declare const NODE_ARGS: readonly string[];
export declare const ENV: Readonly<Record<string, string>>;
export declare function serverEnv(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
