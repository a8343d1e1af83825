import { RETRY_KINDS, totalRetries } from '../model/retryCounts.ts';
import type { RunSummary } from '../model/runSummary.ts';

export const METRICS_NAMESPACE = 'OpenAQLakehouse';

/**
 * The `Command` dimension of a run: the command, except that a feed-only nightly
 * (`--source notifications`, hourly when deployed) is `nightly-feed`, so that its successes never
 * stand in for the nightly's in the no-success alarm.
 */
export const metricsCommand = (command: string, source: string): string =>
  command === 'nightly' && source === 'notifications' ? 'nightly-feed' : command;

/**
 * The run summary as one CloudWatch Embedded Metric Format record. Logged as a JSON line to the
 * task's log stream, CloudWatch turns it into metrics with no API call (and no extra IAM permission).
 */
export function metricsRecord(
  summary: RunSummary,
  command: string,
  now = Date.now(),
): Record<string, unknown> {
  const metrics: Record<string, [number, 'Count' | 'Seconds']> = {
    FilesLoaded: [summary.filesFetched - summary.filesRejected, 'Count'],
    FilesSkipped: [summary.filesSkipped, 'Count'],
    FilesRejected: [summary.filesRejected, 'Count'],
    FilesMissing: [summary.filesMissing, 'Count'],
    RowsCommitted: [summary.rowsCommitted, 'Count'],
    RowsReplaced: [summary.rowsReplaced, 'Count'],
    RowsRejected: [summary.rowsRejected, 'Count'],
    CommitRetries: [summary.commitRetries, 'Count'],
    Retries: [totalRetries(summary.retries), 'Count'],
    ...Object.fromEntries(
      RETRY_KINDS.map((kind) => [
        `Retries${kind[0]!.toUpperCase()}${kind.slice(1)}`,
        [summary.retries[kind], 'Count'] as [number, 'Count'],
      ]),
    ),
    Commits: [summary.commits, 'Count'],
    SourceListRequests: [summary.sourceRequests.list, 'Count'],
    SourceGetRequests: [summary.sourceRequests.get, 'Count'],
    DurationSeconds: [summary.seconds.total, 'Seconds'],
    ExitCode: [summary.exitCode, 'Count'],
    ...(summary.feed
      ? {
          NotificationsReceived: [summary.feed.messages, 'Count'],
          NotificationsDeadLettered: [summary.feed.deadLettered, 'Count'],
          NotificationsOutsideLayout: [summary.feed.unmatched, 'Count'],
          ...(summary.feed.reconciled
            ? { FilesNotDelivered: [summary.feed.notDelivered, 'Count'] }
            : {}),
        }
      : {}),
  };
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['Command']],
          Metrics: Object.entries(metrics).map(([Name, [, Unit]]) => ({ Name, Unit })),
        },
      ],
    },
    Command: command,
    runId: summary.runId,
    ...Object.fromEntries(Object.entries(metrics).map(([name, [value]]) => [name, value])),
  };
}
