import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Self-test of the e2e harness against CNCF Distribution (no Wharf needed):
//   npx vitest run --config test/support/selftest/vitest.config.ts
export default defineConfig({
  resolve: { alias: { '@wharf/test-kit': resolve(__dirname, '../../kit/src') } },
  test: {
    root: __dirname,
    include: ['*.selftest.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
