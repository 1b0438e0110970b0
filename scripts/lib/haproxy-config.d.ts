// Types of haproxy-config.js, for the TypeScript tests.
export declare function haproxyConfig(options: {
  address: string;
  ports: number[];
  healthPort: number;
  servers: { name: string; address: string }[];
  socket?: string;
}): string;
