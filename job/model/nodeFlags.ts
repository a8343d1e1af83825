import { join } from 'node:path';

/**
 * Node flags the CLI runs with: in `bin/openaq-lakehouse.js`'s shebang, the image's ENTRYPOINT and
 * wherever a script starts the CLI (a test checks they agree).
 *
 * V8 sizes the young generation from the machine's memory: on a 24 GiB host each thread's grew to
 * 128 MiB, mostly empty and still resident. 16 MiB semi-spaces (32 MiB a thread) took ~200 MiB off
 * a run's peak RSS (two threads) at the same speed (docs/performance.md#memory).
 */
export const YOUNG_SEMI_SPACE_MIB = 16;

export const CLI_NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${YOUNG_SEMI_SPACE_MIB}`];

/** What follows `node` to run the CLI of the checkout at `repoRoot` as its bin runs. */
export const cliArgv = (repoRoot: string): string[] => [
  ...CLI_NODE_FLAGS,
  join(repoRoot, 'bin', 'openaq-lakehouse.js'),
];
