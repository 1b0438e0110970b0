import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources, so tests never need a build.
const alias = {
  '@wharf/oci': resolve(__dirname, 'libs/oci/src/index.ts'),
  '@wharf/native-io': resolve(__dirname, 'libs/native-io/src/index.ts'),
  '@wharf/blobstore': resolve(__dirname, 'libs/blobstore/src/index.ts'),
  '@wharf/registry-core': resolve(__dirname, 'libs/registry-core/src/index.ts'),
  '@wharf/persistence': resolve(__dirname, 'libs/persistence/src/index.ts'),
  '@wharf/migrations': resolve(__dirname, 'migrations/index.ts'),
  '@wharf/api-types': resolve(__dirname, 'libs/api-types/src/index.ts'),
  // The shared test helpers (test/kit): `@wharf/test-kit` and its sub-paths (`@wharf/test-kit/upstream`, ...).
  '@wharf/test-kit': resolve(__dirname, 'test/kit/src'),
};

// One PostgreSQL and one Ceph RGW for the whole run, shared by the projects that list this file.
const services = ['test/services/global-setup.ts'];

// SWC emits decorator metadata, which Nest's constructor injection and TypeORM need.
const plugins = [swc.vite({ module: { type: 'es6' } })];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    projects: [
      {
        plugins,
        resolve: { alias },
        test: { name: 'unit', include: ['libs/**/*.test.ts', 'scripts/bench/test/**/*.test.ts'], environment: 'node', globalSetup: services, hookTimeout: 60_000 },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['apps/server/test/**/*.test.ts'],
          globalSetup: services,
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: services,
          environment: 'node',
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
      {
        // The admin UI's component tests. JSX is compiled by Vite's built-in transform (web/tsconfig.json: react-jsx).
        resolve: { alias },
        test: {
          name: 'web',
          include: ['web/src/**/*.test.tsx'],
          environment: 'happy-dom',
          setupFiles: ['web/src/test-setup.ts'],
        },
      },
    ],
  },
});
