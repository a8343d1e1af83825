import type { FeedBenchResult } from './feedBenchResult.ts';

const n = (value: number): string => value.toLocaleString('en-US');
const s = (seconds: number): string => seconds.toFixed(1);

/** The bench:feed result as Markdown: the history load, then the runs side by side. */
export function feedBenchTable(result: FeedBenchResult): string {
  const { settings, mirror, history } = result;
  const lines = [
    `# Feed-driven vs listing-driven runs (${result.startedAt})`,
    '',
    `Mirror \`${settings.bucket}\`: ${n(mirror.files)} files, ${n(mirror.rows)} rows, ` +
      `${settings.window.from} … ${settings.window.to} (seed ${settings.seed}` +
      `${mirror.seededNow ? `, seeded now in ${s(mirror.seedSeconds)} s` : ', reused'}). ` +
      `Machine: ${String(result.machine.cpus)} × ${String(result.machine.cpuModel)}, ` +
      `Node ${String(result.machine.node)}; the local MinIO, REST catalog and ElasticMQ on the same machine.`,
    '',
  ];
  if (history) {
    lines.push(
      `History (the whole window into a fresh namespace): ${s(history.wallSeconds)} s wall, ` +
        `${s(history.cpuSeconds)} s CPU, ${n(history.summary.sourceRequests.list)} LIST, ` +
        `${n(history.summary.sourceRequests.get)} GET, ${n(history.summary.rowsCommitted)} rows.`,
      '',
    );
  }
  lines.push(
    'Before each run the same files are rewritten again (new versions; the feed-driven run also gets their notifications), so each starts from the history with that many files changed.',
    '',
    '| run | window | rewritten (reachable) | wall s | CPU s (job) | CPU s (servers) | LIST | GET | files loaded | rows replaced | caught all? |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|',
    ...result.runs.map((run) => {
      const loaded = run.summary.filesFetched - run.summary.filesRejected;
      const window = run.window ? `${run.window.from} … ${run.window.to}` : 'the queue';
      const all =
        run.caught === run.rewritten ? 'yes' : `no: ${n(run.caught)} of ${n(run.rewritten)}`;
      return (
        `| ${run.name} | ${window} | ${n(run.rewritten)} (${n(run.reachable)}) | ${s(run.wallSeconds)} | ` +
        `${s(run.cpuSeconds)} | ${s(run.serverCpuSeconds)} | ${n(run.summary.sourceRequests.list)} | ` +
        `${n(run.summary.sourceRequests.get)} | ${n(loaded)} | ${n(run.summary.rowsReplaced)} | ${all} |`
      );
    }),
    '',
    ...result.runs.map((run) => `- ${run.name}: \`openaq-lakehouse ${shown(run.args)}\``),
  );
  if (result.stopped) lines.push('', `Stopped early: ${result.stopped}`);
  return `${lines.join('\n')}\n`;
}

/** The command line without its per-run work folder and the queues' long URLs. */
function shown(args: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--work-dir') i += 1;
    else if (arg === '--queue-url' || arg === '--dead-letter-queue-url') {
      out.push(arg, '…');
      i += 1;
    } else out.push(arg);
  }
  return out.join(' ');
}
