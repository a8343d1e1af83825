import type { BackfillConfig } from './config.ts';
import type { ArchiveStore } from './source/archiveStore.ts';
import { listWindow, type WindowListing } from './source/listWindow.ts';
import { stationCacheOption } from './source/stationCache.ts';

/** Lists the archive files of a run's window, stations and concurrency (with its station cache). */
export function listConfiguredWindow(
  store: ArchiveStore,
  config: BackfillConfig,
): Promise<WindowListing> {
  return listWindow(store, {
    stations: config.stations,
    from: config.window.from,
    to: config.window.to,
    concurrency: config.concurrency,
    ...stationCacheOption(config.stationCachePath),
  });
}
