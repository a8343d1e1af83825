import { defineConfig } from 'vitest/config';

// `npm test` runs both projects in one run, so one summary counts them all.
export default defineConfig({
  test: {
    projects: [
      'vitest.unit.config.ts',
      'vitest.integration.config.ts',
      'vitest.s3tables.config.ts',
    ],
    reporters: ['default', './test/helpers/closingLineReporter.ts'],
  },
});
