import { defineProject } from 'vitest/config';

// Integration tests run against the real local lakehouse (MinIO + Iceberg REST catalog), which
// the global setup starts (or reuses when `npm run lakehouse -- up` already started it).
export default defineProject({
  test: {
    name: 'integration',
    include: ['test/**/*.integration.test.ts'],
    globalSetup: ['test/helpers/lakehouseGlobalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
