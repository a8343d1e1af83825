import type { StackConfig } from './stackConfig.ts';

/** A scheduled run of the job besides the nightly: what its schedule and state machine need. */
export interface FeedRun {
  /** `feed` (the hourly feed-driven run) or `reconcile` (the periodic reconciliation). */
  readonly kind: 'feed' | 'reconcile';
  /** Its name in the state machine's states, errors and notifications. */
  readonly label: string;
  /** The container command (the image's entrypoint runs the job's CLI). */
  readonly command: readonly string[];
  readonly scheduleExpression: string;
  readonly timeoutSeconds: number;
  /** Retries of a failed or timed-out task within one execution. */
  readonly retries: number;
  /** A start while the previous one still runs: skipped quietly (hourly) or notified. */
  readonly whenRunning: 'notify' | 'skip';
  readonly description: string;
}

/**
 * The runs the notification feed adds to the nightly, none while it is off: every hour (by
 * default) a feed-driven run loads what the queue names, and every week a reconciliation lists the
 * last `reconcileDays` after reading the feed, counting what the feed did not deliver. The hourly
 * run is not retried (the next hour is its retry) and a start while one is still loading a backlog
 * is skipped quietly; the reconciliation is retried once and a refused start is notified, as the
 * nightly's. Pure: a function of the stack config.
 */
export function feedRuns(
  config: Pick<
    StackConfig,
    | 'notificationFeed'
    | 'feedScheduleCron'
    | 'feedTimeoutHours'
    | 'reconcileCron'
    | 'reconcileDays'
    | 'reconcileTimeoutHours'
  >,
): FeedRun[] {
  if (!config.notificationFeed) return [];
  return [
    {
      kind: 'feed',
      label: 'Feed',
      command: ['nightly', '--source', 'notifications'],
      scheduleExpression: config.feedScheduleCron,
      timeoutSeconds: config.feedTimeoutHours * 3600,
      retries: 0,
      whenRunning: 'skip',
      description:
        "openaq-lakehouse: load the files OpenAQ's object-created notifications name (nightly --source notifications), through Step Functions",
    },
    {
      kind: 'reconcile',
      label: 'Reconcile',
      command: [
        'nightly',
        '--source',
        'reconcile',
        '--reconcile-days',
        String(config.reconcileDays),
      ],
      scheduleExpression: config.reconcileCron,
      timeoutSeconds: config.reconcileTimeoutHours * 3600,
      retries: 1,
      whenRunning: 'notify',
      description: `openaq-lakehouse: reconciliation, the feed then a listing of the last ${config.reconcileDays} days (nightly --source reconcile), through Step Functions`,
    },
  ];
}
