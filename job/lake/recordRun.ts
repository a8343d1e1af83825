import type { RunSummary } from '../model/runSummary.ts';
import { totalRetries } from '../model/retryCounts.ts';
import { RUNS } from '../tables.ts';
import type { LakeSession } from './lakeSession.ts';
import { classify } from '../lakehouseError.ts';
import { commitRetryKind } from './commitRetryKind.ts';
import { redactSecrets } from '../redactSecrets.ts';
import { retryRetryable } from './retryRetryable.ts';
import { dateValue, timestamptzValue } from './duckdbTypes.ts';
import { qualifiedName } from './tableDdl.ts';

/**
 * Appends the run's record to the runs table (its own small commit, after the data commits).
 * Runs finishing together conflict on this table: the record is retried, but only while the table
 * does not hold it yet.
 */
export async function recordRun(
  session: LakeSession,
  namespace: string,
  run: { command: string; startedAt: Date; summary: RunSummary; error?: string },
): Promise<void> {
  // Retries of the record itself count in the summary returned and logged, not in the record.
  const retries = { ...run.summary.retries };
  const runs = qualifiedName(session.catalog, namespace, RUNS.name);
  const insert = async (): Promise<void> => {
    try {
      await insertRun(session, runs, { ...run, summary: { ...run.summary, retries } });
    } catch (err) {
      throw classify(err, 'record the run in the runs table');
    }
  };
  // Any failed commit may have landed: the catalog can apply it and the answer still be lost, and
  // DuckDB then re-sends it and reports the 409 of its own first try. So the table is asked first.
  await retryRetryable(RECORD_RETRIES, insert, async (error) => {
    run.summary.retries[commitRetryKind(error)] += 1;
    const held = await session.connection.runAndReadAll(
      `SELECT count(*)::BIGINT FROM ${runs} WHERE run_id = $run_id`,
      { run_id: run.summary.runId },
    );
    return Number(held.getRows()[0]?.[0] ?? 0) > 0;
  });
}

const RECORD_RETRIES = 6;

async function insertRun(
  session: LakeSession,
  runs: string,
  run: { command: string; startedAt: Date; summary: RunSummary; error?: string },
): Promise<void> {
  const { summary } = run;
  await session.connection.run(
    `INSERT INTO ${runs} VALUES
     ($run_id, $command, $started_at, $finished_at, $from, $to, $exit_code, $listed, $fetched, $rejected_files,
      $rows, $replaced, $rejected_rows, $commits, $error, $summary, $retries)`,
    {
      run_id: summary.runId,
      command: run.command,
      started_at: timestamptzValue(run.startedAt),
      finished_at: timestamptzValue(new Date()),
      from: dateValue(summary.window.from),
      to: dateValue(summary.window.to),
      exit_code: summary.exitCode,
      listed: BigInt(summary.filesListed),
      fetched: BigInt(summary.filesFetched),
      rejected_files: BigInt(summary.filesRejected),
      rows: BigInt(summary.rowsCommitted),
      replaced: BigInt(summary.rowsReplaced),
      rejected_rows: BigInt(summary.rowsRejected),
      commits: summary.commits,
      retries: BigInt(totalRetries(summary.retries)),
      error: run.error === undefined ? null : redactSecrets(run.error),
      summary: JSON.stringify(summary),
    },
  );
}
