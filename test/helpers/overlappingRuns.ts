import type { BackfillConfig } from '../../job/config.ts';
import { parseArchiveKey } from '../../job/source/archiveKey.ts';
import type { ArchiveStore } from '../../job/source/archiveStore.ts';
import { runLocalBackfill, type LocalRun } from './backfillHarness.ts';

/**
 * Runs two backfills at once such that both have planned against the same lake before either
 * commits: each run's last GET waits until the other run has reached its own last GET. One of
 * them must then meet the other's commit.
 */
export async function runOverlapping(
  first: BackfillConfig,
  second: BackfillConfig,
  files: readonly { key: string }[],
): Promise<[LocalRun, LocalRun]> {
  const filesIn = (config: BackfillConfig): number =>
    files.filter((file) => {
      const day = parseArchiveKey(file.key)!.day;
      return day >= config.window.from && day <= config.window.to;
    }).length;
  let arrived = 0;
  let release!: () => void;
  const bothAtLastGet = new Promise<void>((resolve) => (release = resolve));
  const holdLastGet =
    (total: number) =>
    (inner: ArchiveStore): ArchiveStore => {
      let gets = 0;
      return {
        listObjects: (prefix) => inner.listObjects(prefix),
        listPrefixes: (prefix) => inner.listPrefixes(prefix),
        close: () => inner.close(),
        get: async (key) => {
          gets += 1;
          if (gets === total) {
            arrived += 1;
            if (arrived === 2) release();
            await bothAtLastGet;
          }
          return inner.get(key);
        },
      };
    };
  return Promise.all([
    runLocalBackfill(first, holdLastGet(filesIn(first))),
    runLocalBackfill(second, holdLastGet(filesIn(second))),
  ]);
}
