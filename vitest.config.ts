import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Tests start real servers, agents and network namespaces; give slow CI machines room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Network-namespace and child-process tests must not fight over CPU on a 2-core machine.
    fileParallelism: false,
    // The second reporter prints a plain 'vitest: N passed, N failed, N skipped' closing line.
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});
