import PQueue from 'p-queue';
import type { BackfillDependencies } from './backfill.ts';
import type { LakeStaging } from './lake/lake.ts';
import type { RunSummary } from './model/runSummary.ts';
import type { GetResult } from './source/archiveStore.ts';
import type { ListedFile } from './source/listWindow.ts';
import type { ParserPool } from './source/parserPool.ts';
import type { PackedFileVerdict } from './source/readPackedFile.ts';
import type { RunContext } from './runContext.ts';
import { secondsSince } from './secondsSince.ts';

/** Where a chunk's files go: parsed by the pool, staged in the staging area. */
export interface ChunkLoader {
  readonly staging: LakeStaging;
  readonly parser: ParserPool;
}

/**
 * Fetches, parses and stages one chunk's files with bounded concurrency: the GETs and the staging
 * on this thread, the parsing on the pool's.
 */
export async function loadChunk(
  { config, deps, summary }: RunContext,
  files: readonly ListedFile[],
  loader: ChunkLoader,
  fileDone: () => void,
  /** Aborted when the commit running meanwhile failed: stop, staging nothing more. */
  stop: AbortSignal,
): Promise<void> {
  const started = performance.now();
  const queue = new PQueue({ concurrency: config.concurrency });
  let failure: Error | undefined;
  for (const file of files) {
    if (failure || stop.aborted) break;
    if (queue.size > config.concurrency * 2) await queue.onSizeLessThan(config.concurrency);
    queue
      .add(async () => {
        const read = await fetchAndParse(file, loader.parser, deps, summary);
        if (read === undefined || stop.aborted) {
          if (read === undefined) fileDone(); // gone since the listing: counted as missing
          return;
        }
        const stageStart = performance.now();
        stageFile(file, read, loader.staging, deps, summary);
        summary.seconds.stage += secondsSince(stageStart);
        fileDone();
      })
      .catch((err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
        queue.clear();
      });
  }
  await queue.onIdle();
  summary.seconds.fetch += secondsSince(started);
  if (failure) throw failure;
  if (stop.aborted) return;
  loader.staging.flush();
}

type FetchedFile = { got: Extract<GetResult, { kind: 'found' }>; parsed: PackedFileVerdict };

/** One file's bytes and what the parser made of them; undefined when the key is gone (404). */
async function fetchAndParse(
  file: ListedFile,
  parser: ParserPool,
  deps: BackfillDependencies,
  summary: RunSummary,
): Promise<FetchedFile | undefined> {
  let got = await deps.store.get(file.key, file);
  if (got.kind === 'missing') {
    summary.filesMissing += 1;
    deps.logger.warn({ key: file.key }, 'listed file is gone (404); counted as missing');
    return undefined;
  }
  summary.filesFetched += 1;
  summary.bytesFetched += got.body.byteLength;
  let parsed = await parser.parse({ key: file.key, body: got.body });
  if (parsed.kind === 'rejected' && !got.verified) {
    // Bytes no checksum vouched for may have been damaged on the way: a file is rejected
    // whole only if a second download brings the same bytes.
    const again = await deps.store.get(file.key, file);
    if (again.kind === 'found' && !sameBytes(again.body, got.body)) {
      summary.retries.sourceCorruptBody += 1;
      got = again;
      parsed = await parser.parse({ key: file.key, body: got.body });
    }
  }
  return { got, parsed };
}

/** A fetched file's rows and rejects into staging, or the whole file as rejected. */
function stageFile(
  file: ListedFile,
  { got, parsed }: FetchedFile,
  staging: LakeStaging,
  deps: BackfillDependencies,
  summary: RunSummary,
): void {
  // The ETag of the bytes actually read: if OpenAQ rewrote the file since the listing, the
  // rows' lineage (source_key, source_etag) and the ledger must name the new version.
  const staged = {
    key: file.key,
    etag: got.etag || file.etag,
    locationId: file.locationId,
    ...(got.lastModified ? { lastModified: got.lastModified } : {}),
  };
  if (parsed.kind === 'rejected') {
    summary.filesRejected += 1;
    deps.logger.warn({ key: file.key, reason: parsed.reason }, 'file rejected');
    staging.addRejectedFile({ ...staged, outcome: 'rejected' }, parsed.reason, parsed.rawText);
    return;
  }
  if (parsed.rejects.length > 0) {
    deps.logger.warn(
      { key: file.key, rejectedRows: parsed.rejects.length, first: parsed.rejects[0]?.reason },
      'rows rejected',
    );
  }
  staging.addParsedFile({ ...staged, outcome: 'loaded' }, parsed.rows, parsed.rejects);
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(b);
