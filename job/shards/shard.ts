import type { ArchiveDay } from '../model/archiveDay.ts';

/**
 * One line of a backfill manifest: a day range and a range of station ids, exactly what
 * `backfill --from <from> --to <to> --stations <stations>` loads. A shard is resumable and
 * exactly-once as any run is; `command` is that invocation, as a container command override.
 */
export interface Shard {
  /** `s0001`, `s0002`, …: unique in the manifest, in plan order. */
  readonly shard: string;
  readonly from: ArchiveDay;
  readonly to: ArchiveDay;
  /** The `--stations` text: an id range like `1000-2437` (or one id). */
  readonly stations: string;
  /** Stations with files in the shard when it was planned. */
  readonly stationCount: number;
  /** Archive files listed for the shard when it was planned. */
  readonly files: number;
  /** The job's arguments for this shard (the image's entrypoint runs them). */
  readonly command: readonly string[];
}

/** The `backfill` arguments of a shard. */
export const shardCommand = (from: ArchiveDay, to: ArchiveDay, stations: string): string[] => [
  'backfill',
  '--from',
  from,
  '--to',
  to,
  '--stations',
  stations,
];
