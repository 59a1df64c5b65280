import { defineConfig } from 'vitest/config';

// Packages export their TypeScript source under the `@troupe/source` condition, so tests
// run against src/ without a build step; `tsc -b` still type-checks and emits dist/.
export default defineConfig({
  resolve: { conditions: ['@troupe/source', 'import', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@troupe/source', 'import', 'node', 'default'], externalConditions: ['@troupe/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default', './scripts/plain-summary-reporter.ts'],
  },
});
