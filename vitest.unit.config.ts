import { defineProject } from 'vitest/config';

// Unit tests: no services, no network.
export default defineProject({
  test: {
    name: 'unit',
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.integration.test.ts', 'test/**/*.s3tables.test.ts', 'node_modules/**'],
  },
});
