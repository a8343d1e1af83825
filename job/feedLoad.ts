import { runBackfill, type BackfillDependencies } from './backfill.ts';
import type { BackfillConfig } from './config.ts';
import type { FeedConfig } from './feedConfig.ts';
import { listPieces, type HeldFiles, type ListedPiece } from './listPieces.ts';
import { notificationPieces, type FeedReading } from './notificationPieces.ts';
import { emptyFeedSummary, type RunSummary } from './model/runSummary.ts';
import type { NotificationQueue } from './source/notificationQueue.ts';

export interface FeedLoadDependencies extends BackfillDependencies {
  /** The notification queue; absent for a reconciliation without a feed. */
  readonly queue?: NotificationQueue;
}

/**
 * A load driven by the notification feed: the pieces are the files the queue's messages name,
 * loaded by the same plan/fetch/stage/commit path as a backfill. `reconcile` reads the feed first
 * (so everything delivered is in), then lists the window (config.window) like the nightly: the
 * files that listing still finds new or changed are the ones the feed did not deliver.
 */
export function runFeedLoad(
  config: BackfillConfig,
  mode: 'notifications' | 'reconcile',
  feedConfig: FeedConfig | undefined,
  deps: FeedLoadDependencies,
): Promise<RunSummary> {
  const feed = emptyFeedSummary();
  if (mode === 'reconcile') feed.reconciled = config.window;
  const { queue } = deps;
  if (mode === 'notifications' && (queue === undefined || feedConfig === undefined)) {
    throw new Error('feed: a notifications load needs the queue and its settings');
  }
  const reading: FeedReading | undefined = feedConfig && {
    bucket: config.source.bucket,
    waitSeconds: feedConfig.waitSeconds,
    visibilitySeconds: feedConfig.visibilitySeconds,
    maxMessages: feedConfig.maxMessages,
    batchFiles: Math.min(config.commit.files, Math.floor(config.filesInMemory / 2)),
    concurrency: config.concurrency,
    dryRun: config.dryRun,
  };
  async function* pieces(held: HeldFiles): AsyncGenerator<ListedPiece> {
    if (queue !== undefined && reading !== undefined) {
      for await (const listed of notificationPieces(
        queue,
        deps.store,
        reading,
        held,
        feed,
        deps.logger,
      )) {
        yield { ...listed, overlapsEarlierPieces: true };
      }
    }
    if (mode !== 'reconcile') return;
    for await (const listed of listPieces(deps.store, config, held)) {
      yield {
        ...listed,
        overlapsEarlierPieces: true,
        done: (loaded) => {
          feed.notDelivered += loaded;
          return Promise.resolve();
        },
      };
    }
  }
  return runBackfill(config, { ...deps, pieces, feed });
}
