/**
 * A backfill run that kills itself (SIGKILL: no cleanup, like an OOM kill or a lost Fargate task)
 * right after a named table commit of a named chunk. A test hook, not a race: the state the lake
 * is left in is exactly that of the chosen moment.
 *
 *   node test/helpers/crashAtCommitStep.ts '<BackfillOptions as JSON>' <step> <chunk>
 */
import { RetryCounter } from '../../job/model/retryCounts.ts';
import { runBackfill } from '../../job/backfill.ts';
import { resolveBackfillConfig, type BackfillOptions } from '../../job/config.ts';
import { createS3ArchiveStore } from '../../job/source/s3ArchiveStore.ts';
import { pino } from 'pino';
import { REPO_ROOT } from './backfillHarness.ts';

const [optionsJson, step, chunk] = process.argv.slice(2);
if (!optionsJson || !step || !chunk)
  throw new Error('usage: crashAtCommitStep <options> <step> <chunk>');
const config = resolveBackfillConfig(
  JSON.parse(optionsJson) as BackfillOptions,
  process.env,
  REPO_ROOT,
);
const retries = new RetryCounter();
const store = createS3ArchiveStore({
  ...config.source,
  maxSockets: config.concurrency,
  onRetry: retries.onRetry,
});
await runBackfill(config, {
  store,
  retries,
  logger: pino({ level: 'silent' }),
  onCommitStep: (done, number) => {
    if (done === step && number === Number(chunk)) process.kill(process.pid, 'SIGKILL');
  },
});
store.close();
// Reaching here means the step never came: the test treats exit code 7 as "not killed".
process.exitCode = 7;
