/**
 * A deterministic stand-in for the OpenAQ archive (dev and test tooling): stations, and for each
 * station and day the gzipped CSV file the real archive would hold, together with the rows a
 * correct parser must return for it. Every fact it imitates is in /work/shared/OPENAQ_FORMAT.md:
 * real IANA time zones (DST days have 23 or 25 hourly readings), the local-day rule, mixed
 * cadences, both writing styles, names with commas, quotes and non-ASCII text, sentinels,
 * negatives, float noise in coordinates and mobile stations.
 *
 * The same seed gives byte-identical files. Each file depends only on (seed, station, day), so
 * files can be made in any order, and the first N stations do not change when more are asked for.
 */
import { gzipSync } from 'node:zlib';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { archiveDayToMs, daysBetween, parseArchiveDay } from '../../job/model/archiveDay.ts';
import type { ArchiveDay } from '../../job/model/archiveDay.ts';
import { formatArchiveKey } from '../../job/source/archiveKey.ts';
import type { Measurement } from '../../job/model/measurement.ts';
import { ARCHIVE_HEADER } from '../../job/source/readMeasurement.ts';
import { localDayReadingTimes } from './readingTimes.ts';
import { checkSeed, rngFor, round } from './seededRandom.ts';
import { generateStations, type Station, type StationSensor } from './stations.ts';

export { localDayReadingTimes, type ReadingTime } from './readingTimes.ts';
export { generateStations, type Station, type StationSensor } from './stations.ts';

/** `unquoted-lf`: the writer before 2023-11-29; `quoted-crlf`: the writer from then on. */
export type ArchiveStyle = 'unquoted-lf' | 'quoted-crlf';

/** The first archive day written in the quoted CRLF style. */
export const QUOTED_STYLE_SINCE: ArchiveDay = '2023-11-29';

export interface GeneratedFile {
  key: string;
  /** The gzipped object, as the archive would serve it. */
  body: Uint8Array;
  /** Exactly what a correct parser returns for `body` (same line numbers, same numbers). */
  rows: Measurement[];
}

export interface GenerateFileOptions {
  seed: number;
  /** Forces a writing style; default: the style of the archive day (see QUOTED_STYLE_SINCE). */
  style?: ArchiveStyle;
}

export interface GenerateArchiveOptions {
  /** First and last archive day, both included. */
  from: ArchiveDay;
  to: ArchiveDay;
  /** Number of stations. */
  stations: number;
  seed: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Sensor-level chance that a reading is missing, in files that have gaps. */
const GAP_RATE = 0.04;

/** The style the archive's writer used for a day's file. */
export function styleForDay(day: ArchiveDay): ArchiveStyle {
  return day < QUOTED_STYLE_SINCE ? 'unquoted-lf' : 'quoted-crlf';
}

/**
 * The station's file for one local day, or undefined when the station has no data that day. Rows
 * are ordered by sensor, then time; readings run from day 00:00 + cadence to day+1 00:00 local.
 */
export function generateArchiveFile(
  station: Station,
  day: ArchiveDay,
  options: GenerateFileOptions,
): GeneratedFile | undefined {
  checkSeed(options.seed);
  const dayStartMs = archiveDayToMs(day);
  const rng = rngFor(options.seed, station.locationId, dayStartMs / DAY_MS);
  if (uniformFloat64(rng) >= station.coverage) return undefined;
  const style = options.style ?? styleForDay(day);
  const quoted = style === 'quoted-crlf';
  const quoteNumbers = uniformFloat64(rng) < 0.3;
  const hasGaps = uniformFloat64(rng) < 0.2;
  const sentinelText = uniformFloat64(rng) < 0.5 ? '-999' : '-999.0';
  const times = localDayReadingTimes(station.timeZone, day, station.cadenceMinutes);
  const positions = station.mobile
    ? track(rng, station, times.length)
    : { lats: [station.lat], lons: [station.lon] };

  const key = formatArchiveKey(station.locationId, day);
  const newline = quoted ? '\r\n' : '\n';
  // Newer: every text field quoted (QUOTE_NONNUMERIC). Older: pandas' QUOTE_MINIMAL, quoting
  // only a field that holds a comma, a quote or a line break.
  const text = (s: string): string =>
    quoted || /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  const number = (s: string): string => (quoted && quoteNumbers ? `"${s}"` : s);
  const location = text(station.location);
  const parts: string[] = [ARCHIVE_HEADER.map(text).join(',') + newline];
  const rows: Measurement[] = [];
  for (const sensor of station.sensors) {
    const prefix = `${station.locationId},${sensor.sensorsId},${location},`;
    const suffix = `,${text(sensor.parameter)},${text(sensor.units)},`;
    const last = times.length - 1;
    for (let i = 0; i <= last; i++) {
      const u = uniformFloat64(rng);
      // Gaps never take the last reading, so every file ends at its day's end.
      if (hasGaps && i < last && u < GAP_RATE) continue;
      const time = times[i]!;
      const lat = positions.lats[station.mobile ? i : 0]!;
      const lon = positions.lons[station.mobile ? i : 0]!;
      const { value, valueText } = reading(rng, station, sensor, time.hourOfDay, sentinelText);
      parts.push(
        `${prefix}${text(time.datetime)},${number(String(lat))},${number(String(lon))}${suffix}${number(valueText)}${newline}`,
      );
      rows.push({
        line: rows.length + 2,
        locationId: station.locationId,
        sensorsId: sensor.sensorsId,
        location: station.location,
        datetimeUtcMs: time.utcMs,
        datetimeLocal: time.local,
        utcOffset: time.offset,
        lat,
        lon,
        parameter: sensor.parameter,
        units: sensor.units,
        value,
        valueFlag: value === -999 ? 'sentinel' : value < 0 ? 'negative' : null,
      });
    }
  }
  return { key, body: gzipSync(parts.join('')), rows };
}

/** One value: a daily cycle plus noise, with a sentinel or a negative now and then. */
function reading(
  rng: RandomGenerator,
  station: Station,
  sensor: StationSensor,
  hourOfDay: number,
  sentinelText: string,
): { value: number; valueText: string } {
  const u = uniformFloat64(rng);
  if (station.usesSentinel && u < 0.02) return { value: -999, valueText: sentinelText };
  const step = 10 ** -sensor.decimals;
  let value: number;
  if (u > 0.995) {
    // Zero-drift of an instrument: a small negative reading, kept as reported.
    value = -round(step * uniformInt(rng, 1, 20), sensor.decimals);
  } else {
    const cycle = 1 + 0.4 * Math.sin(((hourOfDay - 8) * Math.PI) / 12);
    const noise = 0.75 + 0.5 * uniformFloat64(rng);
    value = round(sensor.level * cycle * noise, sensor.decimals);
    if (sensor.parameter === 'temperature') value = round(value - 6, sensor.decimals);
  }
  return { value, valueText: pythonFloat(value) };
}

/** Python's str(float), which the exporter used: integral values keep a `.0`. */
function pythonFloat(value: number): string {
  const s = String(value);
  return Number.isInteger(value) ? `${s}.0` : s;
}

/** A mobile station's positions for each reading of the day: a short random walk. */
function track(
  rng: RandomGenerator,
  station: Station,
  count: number,
): { lats: number[]; lons: number[] } {
  const lats: number[] = [];
  const lons: number[] = [];
  let lat = station.lat;
  let lon = station.lon;
  for (let i = 0; i < count; i++) {
    lat = round(lat + (uniformFloat64(rng) - 0.5) * 0.002, 6);
    lon = round(lon + (uniformFloat64(rng) - 0.5) * 0.002, 6);
    lats.push(lat);
    lons.push(lon);
  }
  return { lats, lons };
}

/**
 * Every station's file for every day of the window, lazily, ordered by station then day. Days
 * without data have no file.
 */
export function generateArchive(options: GenerateArchiveOptions): Iterable<GeneratedFile> {
  // Validate now, not on the first next(): a generator body only runs when iterated.
  const days = daysBetween(parseArchiveDay(options.from), parseArchiveDay(options.to));
  if (!Number.isInteger(options.stations) || options.stations < 1) {
    throw new Error(
      `mirror: Expected \`stations\` to be an integer >= 1, got \`${options.stations}\``,
    );
  }
  const stations = generateStations({ count: options.stations, seed: options.seed });
  return filesOf(stations, days, options.seed);
}

function* filesOf(
  stations: readonly Station[],
  days: readonly ArchiveDay[],
  seed: number,
): Generator<GeneratedFile> {
  for (const station of stations) {
    for (const day of days) {
      const file = generateArchiveFile(station, day, { seed });
      if (file !== undefined) yield file;
    }
  }
}
