import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Says once per run when the vendors' specs are absent and their checks are skipped.
    globalSetup: ['tests/support/specs-summary.ts'],
    // End-to-end tests start real servers and the app; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits for something that will happen; its default of 1 s was too short on a loaded 2-core machine.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    maxWorkers: 2,
  },
});
