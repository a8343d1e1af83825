import { defineConfig } from 'vitest/config';

// Unit tests: no services, no network, fast.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.integration.test.ts', 'node_modules/**'],
  },
});
