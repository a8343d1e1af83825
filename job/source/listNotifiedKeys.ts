import PQueue from 'p-queue';
import type { ArchiveDay } from '../model/archiveDay.ts';
import { monthPrefix } from './archiveKey.ts';
import type { ArchiveStore } from './archiveStore.ts';
import type { ListedFile } from './listWindow.ts';

export interface NotifiedKey {
  readonly key: string;
  readonly locationId: number;
  readonly day: ArchiveDay;
}

export interface NotifiedListing {
  /** The notified keys as the archive holds them now (current ETag and size), by day then station. */
  readonly files: ListedFile[];
  /** Notified keys that are no longer in the archive. */
  readonly gone: string[];
  readonly listRequests: number;
}

/**
 * The current state of notified keys: one listing of each station-month they fall in (~30 files),
 * `concurrency` at a time. A notification says a key was written, not what it holds now: an older
 * event arriving after a newer one must not bring back the older version's ETag.
 */
export async function listNotifiedKeys(
  store: ArchiveStore,
  keys: readonly NotifiedKey[],
  concurrency: number,
): Promise<NotifiedListing> {
  const byPrefix = new Map<string, Map<string, NotifiedKey>>();
  for (const notified of keys) {
    const [year, month] = [Number(notified.day.slice(0, 4)), Number(notified.day.slice(5, 7))];
    const prefix = monthPrefix(notified.locationId, year, month);
    let inMonth = byPrefix.get(prefix);
    if (inMonth === undefined) {
      inMonth = new Map<string, NotifiedKey>();
      byPrefix.set(prefix, inMonth);
    }
    inMonth.set(notified.key, notified);
  }
  const files: ListedFile[] = [];
  const gone: string[] = [];
  const queue = new PQueue({ concurrency });
  await Promise.all(
    [...byPrefix].map(([prefix, wanted]) =>
      queue.add(async () => {
        const found = new Set<string>();
        for await (const object of store.listObjects(prefix)) {
          const notified = wanted.get(object.key);
          if (notified === undefined) continue;
          found.add(object.key);
          files.push({ ...object, locationId: notified.locationId, day: notified.day });
        }
        for (const key of wanted.keys()) if (!found.has(key)) gone.push(key);
      }),
    ),
  );
  files.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.locationId - b.locationId));
  return { files, gone: gone.sort(), listRequests: byPrefix.size };
}
