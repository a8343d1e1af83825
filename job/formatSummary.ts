import type { FeedSummary, RunSummary } from './model/runSummary.ts';

const number = (n: number): string => n.toLocaleString('en-US');
const secs = (s: number): string => `${s.toFixed(1)} s`;

/** The run summary as a small aligned table for a terminal. */
export function formatSummary(summary: RunSummary): string {
  const rows: [string, string][] = [
    ['run', `${summary.runId}${summary.dryRun ? ' (dry run: nothing fetched or committed)' : ''}`],
    ['window', `${summary.window.from} … ${summary.window.to}`],
    ['target', summary.target],
    ['files listed', number(summary.filesListed)],
    ['  unchanged (skipped)', number(summary.filesSkipped)],
    ['  new', number(summary.filesNew)],
    ['  changed (replaced)', number(summary.filesChanged)],
    ['files fetched', `${number(summary.filesFetched)} (${number(summary.bytesFetched)} bytes)`],
    ['files missing (404)', number(summary.filesMissing)],
    [
      'S3 requests',
      `${number(summary.sourceRequests.list)} LIST, ${number(summary.sourceRequests.get)} GET (retries included)`,
    ],
    ['files rejected', number(summary.filesRejected)],
    ['rows committed', number(summary.rowsCommitted)],
    ['rows replaced', number(summary.rowsReplaced)],
    [
      'rows rejected',
      `${number(summary.rowsRejected)} (reject rate ${(summary.rejectRate * 100).toFixed(2)}%)`,
    ],
    [
      'commits',
      `${number(summary.commits)} of ${number(summary.commitsPlanned)} planned, ${number(summary.commitRetries)} retries`,
    ],
    ['snapshots', summary.snapshotIds.join(', ') || '-'],
    [
      'pieces',
      `${number(summary.pieces)} (at most ${number(summary.filesHeldMax)} listed files in memory at once)`,
    ],
    [
      'time',
      `${secs(summary.seconds.total)} (list ${secs(summary.seconds.list)}, plan ${secs(summary.seconds.plan)}, ` +
        `fetch+stage ${secs(summary.seconds.fetch)}, parse ${secs(summary.seconds.parse)}, commit ${secs(summary.seconds.commit)})`,
    ],
  ];
  if (summary.dryRun)
    rows.splice(8, 0, [
      'would fetch',
      `${number(summary.filesNew + summary.filesChanged)} files, ${number(summary.bytesPlanned)} bytes`,
    ]);
  if (summary.feed) rows.push(...feedRows(summary.feed));
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

/** The notification feed's lines: what came in, what was loaded, what was set aside. */
function feedRows(feed: FeedSummary): [string, string][] {
  const rows: [string, string][] = [
    [
      'notifications',
      `${number(feed.messages)} received (${number(feed.records)} records), ${number(feed.deleted)} deleted`,
    ],
    ['  keys to load', `${number(feed.keys)} (${number(feed.repeats)} repeats collapsed)`],
    ['  outside the layout', `${number(feed.unmatched)} (reported, not loaded)`],
    ['  gone from the archive', number(feed.gone)],
    ['  ignored (test events)', number(feed.ignored)],
    ['  dead-lettered', `${number(feed.deadLettered)} (unreadable)`],
  ];
  if (feed.reconciled) {
    rows.push([
      'reconciliation',
      `${number(feed.notDelivered)} files not delivered by the feed (listing ${feed.reconciled.from} … ${feed.reconciled.to})`,
    ]);
  }
  return rows;
}
