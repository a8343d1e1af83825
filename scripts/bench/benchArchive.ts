import { daysBetween, type ArchiveDay } from '../../job/model/archiveDay.ts';
import { parseArchiveKey } from '../../job/source/archiveKey.ts';
import {
  generateArchiveFile,
  generateStations,
  type GeneratedFile,
  type Station,
} from '../mirror/generateArchive.ts';

/** One scale point's archive: the generator's stations and days, cut at a file count. */
export interface BenchArchiveSpec {
  /** Files to generate; the last station's days are completed, so a few more may come. */
  readonly targetFiles: number;
  readonly seed: number;
  /** Archive days, both included. */
  readonly from: ArchiveDay;
  readonly to: ArchiveDay;
}

export interface BenchFile extends GeneratedFile {
  /** Position in generation order (station, then day). */
  readonly index: number;
}

/**
 * Stations below this many readings a day are left out, so that files average ~300 rows (the
 * research's central assumption; the generator's full mix averages ~190 rows, 1.25 KB).
 */
export const MIN_READINGS_PER_DAY = 120;

/** Every PATCH_EVERY-th file (by generation order) is the patched 1%. */
export const PATCH_EVERY = 100;

const readingsPerDay = (station: Station): number =>
  (station.sensors.length * 1440) / station.cadenceMinutes;

/**
 * The point's files, lazily: the generator's stations with at least MIN_READINGS_PER_DAY readings,
 * in order, each with its files for every day of the window, until `targetFiles` is reached. The
 * same spec always gives the same files; a larger target starts with the files of a smaller one.
 */
export function* benchArchive(spec: BenchArchiveSpec): Generator<BenchFile> {
  if (!Number.isInteger(spec.targetFiles) || spec.targetFiles < 1) {
    throw new Error(
      `bench: Expected \`targetFiles\` to be an integer >= 1, got \`${spec.targetFiles}\``,
    );
  }
  const days = daysBetween(spec.from, spec.to);
  let index = 0;
  let generated = 0;
  for (let count = 256; ; count *= 2) {
    // The first N stations are the same whatever the count: continue where the last batch ended.
    const stations = generateStations({ count, seed: spec.seed }).slice(generated);
    generated = count;
    for (const station of stations) {
      if (readingsPerDay(station) < MIN_READINGS_PER_DAY) continue;
      for (const day of days) {
        const file = generateArchiveFile(station, day, { seed: spec.seed });
        if (file !== undefined) yield { ...file, index: index++ };
      }
      if (index >= spec.targetFiles) return;
    }
  }
}

/** Whether a file of the point is in the patched 1%. */
export const isPatched = (file: BenchFile): boolean => file.index % PATCH_EVERY === PATCH_EVERY / 2;

/**
 * The files at `keys` of a point generated with `seed`, made under `versionSeed`: the original
 * files when it equals `seed`; otherwise a new version of each, as OpenAQ writes when it patches a
 * file (same key, other readings), from the first seed derived from `versionSeed` under which the
 * station has that day.
 */
export function fileVersions(
  keys: readonly string[],
  seed: number,
  versionSeed: number,
): GeneratedFile[] {
  const targets = keys.map((key) => {
    const parsed = parseArchiveKey(key);
    if (parsed === undefined) throw new Error(`bench: "${key}" is not an archive key`);
    return { key, ...parsed, stationIndex: Math.floor((parsed.locationId - 1000) / 97) };
  });
  // The generator's station i has location id 1000 + 97 i + (0..96).
  const count = Math.max(0, ...targets.map((t) => t.stationIndex + 1));
  const stations = generateStations({ count, seed });
  return targets.map(({ key, day, locationId, stationIndex }) => {
    const station = stations[stationIndex];
    if (station?.locationId !== locationId) {
      throw new Error(`bench: ${key} names no station of seed ${seed}`);
    }
    const seeds =
      versionSeed === seed
        ? [seed]
        : Array.from({ length: 64 }, (_, k) => versionSeed + 7919 * (k + 1));
    for (const candidate of seeds) {
      const file = generateArchiveFile(station, day, { seed: candidate });
      if (file !== undefined) return file;
    }
    throw new Error(`bench: no file ${key} under seeds ${seeds[0]}…${seeds.at(-1)}`);
  });
}
