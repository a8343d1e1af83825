import { defineProject } from 'vitest/config';

// The production path (S3 Tables over TLS, IAM, container credentials) on an AWS emulator in a
// private network namespace (`unshare`); the test file skips itself, with one line, where that is
// not permitted. `npm run test:s3tables` runs this project alone.
export default defineProject({
  test: {
    name: 's3tables',
    include: ['test/**/*.s3tables.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
