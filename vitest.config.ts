import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Says once per run when the vendors' specs are absent and their checks are skipped.
    globalSetup: ['tests/support/specs-summary.ts'],
    // End-to-end tests start real servers and the app; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
