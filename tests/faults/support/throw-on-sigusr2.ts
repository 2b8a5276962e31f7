/**
 * Preloaded by tests/faults/fatal-error.test.ts only (`node --import <this> src/main.ts`), so the entry point
 * runs unchanged and carries no trigger of its own: SIGUSR2 makes a timer throw, which nothing catches, as
 * a programming error anywhere in the app would.
 */
process.on('SIGUSR2', () => {
  setTimeout(() => {
    throw new Error('a bug somewhere in the app (thrown on purpose by the test preload)');
  }, 0);
});
