import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/** The test files that run on the real Fabric network as well. */
const REAL_FABRIC_TESTS = ['test/ledger.test.ts', 'test/fabric-network/**/*.test.ts'];

// swc, not esbuild: type-graphql needs emitted decorator metadata.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  // Node resolves `graphql` to its CommonJS build for everyone (type-graphql requires it);
  // Vite would pick the .mjs build for our files, and two graphql realms refuse each other's types.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    setupFiles: ['reflect-metadata'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'meridian',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: REAL_FABRIC_TESTS,
        },
      },
      {
        // One real Fabric network (MERIDIAN_FABRIC_BIN) for these files, started only when one of them runs.
        extends: true,
        test: {
          name: 'fabric',
          include: REAL_FABRIC_TESTS,
          globalSetup: ['test/support/fabric-network/global-setup.ts'],
        },
      },
    ],
  },
});
