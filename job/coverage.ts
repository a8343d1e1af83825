import type { BackfillConfig } from './config.ts';
import { readFilesLedger } from './lake/lakeLedger.ts';
import type { LakeSession } from './lake/lakeSession.ts';
import { daysBetween } from './model/archiveDay.ts';
import type { ArchiveStore } from './source/archiveStore.ts';
import { listConfiguredWindow } from './listConfiguredWindow.ts';

export interface DayCoverage {
  readonly day: string;
  /** Files in the archive for that day. */
  readonly listed: number;
  /** Of those, files in the lake with the same ETag. */
  readonly loaded: number;
  /** Of those, files in the lake with an older ETag (patched since). */
  readonly stale: number;
}

/** Per archive day of the window: files listed in the archive against files loaded in the lake. */
export async function windowCoverage(
  session: LakeSession,
  store: ArchiveStore,
  config: BackfillConfig,
): Promise<DayCoverage[]> {
  const listing = await listConfiguredWindow(store, config);
  const loaded = await readFilesLedger(session, config.namespace, config.window);
  const days = new Map(
    daysBetween(config.window.from, config.window.to).map(
      (day): [string, { day: string; listed: number; loaded: number; stale: number }] => [
        day,
        { day, listed: 0, loaded: 0, stale: 0 },
      ],
    ),
  );
  for (const file of listing.files) {
    const entry = days.get(file.day);
    if (!entry) continue;
    entry.listed += 1;
    const etag = loaded.get(file.key);
    if (etag === file.etag) entry.loaded += 1;
    else if (etag !== undefined) entry.stale += 1;
  }
  return [...days.values()];
}
