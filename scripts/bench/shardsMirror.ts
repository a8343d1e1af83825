import type { LocalLakehouse } from '../../job/localLakehouse.ts';
import type { ArchiveDay } from '../../job/model/archiveDay.ts';
import { ensureArchiveBucket, localS3Client, putObject } from '../lakehouse/s3Admin.ts';
import { generateArchive } from '../mirror/generateArchive.ts';
import { ensureBenchMirror } from './benchMirror.ts';
import { DEFAULT_BENCH_SEED, parsePoints } from './benchOptions.ts';
import { pointWindow, type BenchWindow } from './benchWindow.ts';

/** The archive mirror that the shard bench loads, once by one process and once per N writers. */
export interface ShardsMirror {
  readonly bucket: string;
  readonly window: BenchWindow;
  /** Archive files in the window. */
  readonly files: number;
  /** One line saying what it is, for the results. */
  readonly description: string;
}

export interface SmallMirrorSpec {
  readonly stations: number;
  readonly seed: number;
  readonly from: ArchiveDay;
  readonly to: ArchiveDay;
}

/** A few stations over a few days, generated and put here (a bucket named after the spec). */
export async function smallShardsMirror(
  lake: LocalLakehouse,
  spec: SmallMirrorSpec,
): Promise<ShardsMirror> {
  const window = { from: spec.from, to: spec.to };
  const bucket = `bench-shards-${spec.seed}-${spec.stations}-${window.from}-${window.to}`;
  const files = [...generateArchive({ ...window, stations: spec.stations, seed: spec.seed })];
  const s3 = localS3Client(lake);
  try {
    await ensureArchiveBucket(s3, bucket);
    // In batches: hundreds of PUTs at once make MinIO answer SlowDownWrite.
    for (let i = 0; i < files.length; i += 16) {
      await Promise.all(files.slice(i, i + 16).map((f) => putObject(s3, bucket, f.key, f.body)));
    }
  } finally {
    s3.destroy();
  }
  return {
    bucket,
    window,
    files: files.length,
    description: `${files.length} files (${spec.stations} stations × ${window.from}..${window.to}, seed ${spec.seed}) in ${bucket}`,
  };
}

/**
 * The main bench's mirror of a scale point (`100k` → bucket `bench-100k`, the same spec as
 * `npm run bench -- --points 100k`), reused as it is: seeded only when the bucket is empty, never
 * emptied, patched or put back (another bench may own it).
 */
export async function pointShardsMirror(
  lake: LocalLakehouse,
  label: string,
  log: (line: string) => void,
): Promise<ShardsMirror> {
  const points = parsePoints(label);
  if (points.length !== 1) {
    throw new Error(
      `bench: Expected \`--mirror\` to be one scale point like 100k, got \`${label}\``,
    );
  }
  const point = points[0]!;
  const bucket = `bench-${point.label}`;
  const window = pointWindow(point.files);
  const spec = { targetFiles: point.files, seed: DEFAULT_BENCH_SEED, ...window };
  const mirror = await ensureBenchMirror(lake, bucket, spec, log, { replace: false });
  const m = mirror.manifest;
  return {
    bucket,
    window,
    files: m.files,
    description:
      `${m.files} files (${m.stations} stations × ${window.from}..${window.to}, ${m.rows} rows, seed ${spec.seed}) in ${bucket}` +
      (mirror.seeded ? ` (seeded in ${mirror.seconds.toFixed(0)} s)` : ' (reused)'),
  };
}
