import type { ChunkLimits } from './config.ts';
import type { ListedFile } from './source/listWindow.ts';

export interface LoadPlan {
  /** Not in the lake yet. */
  readonly newFiles: readonly ListedFile[];
  /** In the lake with another ETag: OpenAQ patched them; their rows are replaced. */
  readonly changedFiles: readonly ListedFile[];
  /** In the lake with this ETag: skipped without being fetched. */
  readonly unchangedFiles: readonly ListedFile[];
}

/** Pure: what to do with each listed file, given what the lake already holds (key → ETag). */
export function planLoad(
  listed: readonly ListedFile[],
  loaded: ReadonlyMap<string, string>,
): LoadPlan {
  const newFiles: ListedFile[] = [];
  const changedFiles: ListedFile[] = [];
  const unchangedFiles: ListedFile[] = [];
  for (const file of listed) {
    const etag = loaded.get(file.key);
    if (etag === undefined) newFiles.push(file);
    else if (etag === file.etag) unchangedFiles.push(file);
    else changedFiles.push(file);
  }
  return { newFiles, changedFiles, unchangedFiles };
}

/**
 * Splits the work into commits: files in day order, a new chunk when the next file would exceed
 * either limit. A file is never split across commits. Within a chunk, files are in station order,
 * then day: the order their rows are staged and written in, so that a data file's row groups each
 * hold a few stations (their min/max statistics prune queries by station) without sorting the
 * chunk's rows at commit, which took half of the commit's time.
 */
export function chunkFiles(files: readonly ListedFile[], limits: ChunkLimits): ListedFile[][] {
  const sorted = [...files].sort((a, b) =>
    a.day < b.day ? -1 : a.day > b.day ? 1 : a.locationId - b.locationId,
  );
  const chunks: ListedFile[][] = [];
  let current: ListedFile[] = [];
  const days = new Set<string>();
  for (const file of sorted) {
    const newDay = !days.has(file.day);
    if (
      current.length > 0 &&
      (current.length >= limits.files || (newDay && days.size >= limits.days))
    ) {
      chunks.push(current);
      current = [];
      days.clear();
    }
    current.push(file);
    days.add(file.day);
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map((chunk) =>
    chunk.sort(
      (a, b) => a.locationId - b.locationId || (a.day < b.day ? -1 : a.day > b.day ? 1 : 0),
    ),
  );
}
