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
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { archiveDayToMs, daysBetween, parseArchiveDay } from '../../job/model/archiveDay.ts';
import type { ArchiveDay } from '../../job/model/archiveDay.ts';
import { formatArchiveKey } from '../../job/source/archiveKey.ts';
import type { Measurement } from '../../job/model/measurement.ts';
import { ARCHIVE_HEADER } from '../../job/source/readMeasurement.ts';

/** `unquoted-lf`: the writer before 2023-11-29; `quoted-crlf`: the writer from then on. */
export type ArchiveStyle = 'unquoted-lf' | 'quoted-crlf';

/** The first archive day written in the quoted CRLF style. */
export const QUOTED_STYLE_SINCE: ArchiveDay = '2023-11-29';

export interface StationSensor {
  sensorsId: number;
  parameter: string;
  units: string;
  /** Typical level of the readings, in `units`. */
  level: number;
  /** Decimal places the readings are rounded to. */
  decimals: number;
}

export interface Station {
  locationId: number;
  /** As written in the `location` column: site name, `-`, sensor-system id (not always locationId). */
  location: string;
  /** IANA time zone; every datetime carries this zone's offset at that instant. */
  timeZone: string;
  /** Reported position (with float noise at some stations); where a mobile station starts its day. */
  lat: number;
  lon: number;
  /** Mobile stations report a slightly different position with every reading. */
  mobile: boolean;
  /** Minutes between readings: 60 for reference monitors, 5, 10 or 15 for low-cost sensors. */
  cadenceMinutes: number;
  sensors: readonly StationSensor[];
  /** Chance that the station has a file on a given day. */
  coverage: number;
  /** Whether the station writes -999 for missing readings now and then. */
  usesSentinel: boolean;
}

export interface GeneratedFile {
  key: string;
  /** The gzipped object, as the archive would serve it. */
  body: Uint8Array;
  /** Exactly what a correct parser returns for `body` (same line numbers, same numbers). */
  rows: Measurement[];
}

export interface GenerateStationsOptions {
  /** How many stations; the first N are the same whatever the count. */
  count: number;
  seed: number;
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
const MINUTE_MS = 60_000;
/** Sensor-level chance that a reading is missing, in files that have gaps. */
const GAP_RATE = 0.04;

interface Region {
  timeZone: string;
  lat: number;
  lon: number;
  /** Site names as the networks write them. */
  names: readonly string[];
  /** Units this network reports gases in. */
  gasUnits: 'ppm' | 'ppb' | 'µg/m³';
}

const REGIONS: readonly Region[] = [
  {
    timeZone: 'America/Denver',
    lat: 35.1353,
    lon: -106.584702,
    names: ['Del Norte', 'South Valley', 'Westside, Albuquerque', 'Jefferson St.'],
    gasUnits: 'ppm',
  },
  {
    timeZone: 'Asia/Kolkata',
    lat: 28.656756,
    lon: 77.227234,
    names: [
      'Chandni Chowk, Delhi - IITM',
      'Anand Vihar, Delhi - DPCC',
      'R K Puram, Delhi - DPCC',
      'Punjabi Bagh',
    ],
    gasUnits: 'µg/m³',
  },
  {
    timeZone: 'Asia/Ho_Chi_Minh',
    lat: 21.0491,
    lon: 105.7999,
    names: [
      'Hà Nội: 556 Nguyễn Văn Cừ',
      'Trạm Quan Trắc Phạm Văn Đồng',
      'Đại Sứ Quán Mỹ, Hà Nội',
      'Thành phố Hồ Chí Minh',
    ],
    gasUnits: 'µg/m³',
  },
  {
    timeZone: 'Europe/Berlin',
    lat: 52.4895,
    lon: 13.4308,
    names: ['Berlin Neukölln-Nansenstraße', 'Köln, Turiner Straße', 'Station "Am Zoo"', 'München'],
    gasUnits: 'µg/m³',
  },
  {
    timeZone: 'UTC',
    lat: 64.1355,
    lon: -21.8954,
    names: ['Reykjavík Grensásvegur', 'Sensor "Kit 7", rooftop', 'Hvaleyrarholt'],
    gasUnits: 'µg/m³',
  },
  {
    timeZone: 'Asia/Shanghai',
    lat: 39.982,
    lon: 116.397,
    names: ['北京市朝阳区奥体中心', '上海市静安监测站', '广州市天河职幼', '成都市金泉两河'],
    gasUnits: 'µg/m³',
  },
  {
    timeZone: 'America/Sao_Paulo',
    lat: -23.5614,
    lon: -46.7016,
    names: ['São Paulo - Pinheiros', 'Ibirapuera, São Paulo', 'Cubatão - Vale do Mogi'],
    gasUnits: 'ppb',
  },
  {
    timeZone: 'Asia/Kathmandu',
    lat: 27.7049,
    lon: 85.3076,
    names: ['Ratnapark, Kathmandu', 'Bhaisepati'],
    gasUnits: 'ppb',
  },
  {
    timeZone: 'America/New_York',
    lat: 40.7366,
    lon: -73.8201,
    names: ['Queens College', 'IS 52, Bronx', 'Pfizer Lab Site'],
    gasUnits: 'ppm',
  },
  {
    timeZone: 'Australia/Sydney',
    lat: -33.9173,
    lon: 151.2313,
    names: ['Randwick', 'Parramatta North', 'Liverpool'],
    gasUnits: 'ppb',
  },
  {
    timeZone: 'America/Mexico_City',
    lat: 19.4326,
    lon: -99.1332,
    names: ['Escuela "Benito Juárez", CDMX', 'Merced', 'Tlalnepantla'],
    gasUnits: 'ppm',
  },
];

const REFERENCE_PARAMETERS = ['pm25', 'pm10', 'o3', 'no2', 'so2', 'co', 'bc'] as const;
const LOW_COST_PARAMETERS = [
  'pm25',
  'pm10',
  'pm1',
  'um003',
  'temperature',
  'relativehumidity',
] as const;

/** The stations of a generated archive, in a fixed order with increasing location ids. */
export function generateStations(options: GenerateStationsOptions): Station[] {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`mirror: Expected \`count\` to be an integer >= 0, got \`${count}\``);
  }
  checkSeed(seed);
  const stations: Station[] = [];
  for (let index = 0; index < count; index++) stations.push(makeStation(seed, index));
  return stations;
}

function makeStation(seed: number, index: number): Station {
  const rng = rngFor(seed, 0x5747, index);
  const region = pick(rng, REGIONS);
  // Ids increase with gaps, like the sparse real id space, and never collide.
  const locationId = 1000 + index * 97 + uniformInt(rng, 0, 96);
  const roll = uniformFloat64(rng);
  const cadenceMinutes = roll < 0.55 ? 60 : roll < 0.7 ? 15 : roll < 0.85 ? 10 : 5;
  const lowCost = cadenceMinutes !== 60;
  const mobile = lowCost && uniformFloat64(rng) < 0.12;
  // Keep files at tens to a few hundred rows: fast cadences carry fewer sensors.
  const maxSensors = cadenceMinutes === 5 ? 2 : cadenceMinutes === 10 ? 3 : 4;
  const parameters = shuffle(rng, [...(lowCost ? LOW_COST_PARAMETERS : REFERENCE_PARAMETERS)]);
  const coInPpb = uniformFloat64(rng) < 0.5;
  const sensorCount = uniformInt(rng, 1, maxSensors);
  const sensors: StationSensor[] = [];
  for (let k = 0; k < sensorCount; k++) {
    const parameter = parameters[k]!;
    sensors.push({
      sensorsId: 20_000 + (index * 4 + k) * 3 + uniformInt(rng, 0, 2),
      parameter,
      ...sensorModel(parameter, region.gasUnits, coInPpb, rng),
    });
  }
  const systemId = uniformFloat64(rng) < 0.6 ? locationId : uniformInt(rng, 100, 99_999);
  const noisy = uniformFloat64(rng) < 0.15;
  const lat = round(region.lat + (uniformFloat64(rng) - 0.5) * 0.3, 4 + uniformInt(rng, 0, 2));
  const lon = round(region.lon + (uniformFloat64(rng) - 0.5) * 0.3, 4 + uniformInt(rng, 0, 2));
  return {
    locationId,
    location: `${pick(rng, region.names)}-${systemId}`,
    timeZone: region.timeZone,
    lat: noisy ? nextUp(lat) : lat,
    lon: noisy ? nextUp(lon) : lon,
    mobile,
    cadenceMinutes,
    sensors,
    coverage: uniformFloat64(rng) < 0.2 ? 0.6 : 0.95,
    usesSentinel: uniformFloat64(rng) < 0.15,
  };
}

function sensorModel(
  parameter: string,
  gasUnits: Region['gasUnits'],
  coInPpb: boolean,
  rng: RandomGenerator,
): Pick<StationSensor, 'units' | 'level' | 'decimals'> {
  const scale = 0.5 + uniformFloat64(rng);
  const gas = (ppm: number, ugm3: number): Pick<StationSensor, 'units' | 'level' | 'decimals'> =>
    gasUnits === 'ppm'
      ? { units: 'ppm', level: ppm * scale, decimals: 3 }
      : gasUnits === 'ppb'
        ? { units: 'ppb', level: ppm * 1000 * scale, decimals: 1 }
        : { units: 'µg/m³', level: ugm3 * scale, decimals: 1 };
  switch (parameter) {
    case 'pm25':
      return { units: 'µg/m³', level: 25 * scale, decimals: 1 };
    case 'pm10':
      return { units: 'µg/m³', level: 45 * scale, decimals: 1 };
    case 'pm1':
      return { units: 'µg/m³', level: 12 * scale, decimals: 2 };
    case 'bc':
      return { units: 'µg/m³', level: 1.5 * scale, decimals: 2 };
    case 'um003':
      return { units: 'particles/cm³', level: 900 * scale, decimals: 0 };
    case 'temperature':
      return { units: 'c', level: 15 * scale, decimals: 1 };
    case 'relativehumidity':
      return { units: '%', level: 60 * scale, decimals: 0 };
    case 'co':
      return coInPpb
        ? { units: 'ppb', level: 450 * scale, decimals: 0 }
        : { units: 'ppm', level: 0.45 * scale, decimals: 2 };
    case 'o3':
      return gas(0.035, 70);
    case 'no2':
      return gas(0.02, 38);
    default:
      return gas(0.003, 8);
  }
}

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

export interface ReadingTime {
  utcMs: number;
  /** `YYYY-MM-DD HH:MM:SS` local wall time. */
  local: string;
  offset: string;
  /** As written in the file: `YYYY-MM-DDTHH:MM:SS±HH:MM`. */
  datetime: string;
  hourOfDay: number;
}

const timesCache = new Map<string, readonly ReadingTime[]>();
const TIMES_CACHE_LIMIT = 20_000;

/**
 * The instants whose local wall time is in (day 00:00, day+1 00:00] and a multiple of the cadence,
 * in time order. On a DST day that is 23 or 25 hourly readings with two offsets. Cached: callers
 * must not modify the result.
 */
export function localDayReadingTimes(
  timeZone: string,
  day: ArchiveDay,
  cadenceMinutes: number,
): readonly ReadingTime[] {
  const cacheKey = `${timeZone}|${day}|${cadenceMinutes}`;
  const cached = timesCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const cadenceMs = cadenceMinutes * MINUTE_MS;
  const startWall = archiveDayToMs(day);
  const endWall = startWall + DAY_MS;
  const times: ReadingTime[] = [];
  const add = (utcMs: number, offsetMs: number): void => {
    const wall = utcMs + offsetMs;
    if (wall > startWall && wall <= endWall && wall % cadenceMs === 0) {
      times.push(readingTime(utcMs, offsetMs));
    }
  };
  // Offsets change by at most a few hours across a day; scan a margin of UTC hours around it.
  const approxOffset = offsetMsAt(timeZone, startWall);
  const firstHour = Math.floor((startWall - approxOffset) / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
  const lastHour = firstHour + DAY_MS + 6 * HOUR_MS;
  for (let hour = firstHour; hour < lastHour; hour += HOUR_MS) {
    const offset = offsetMsAt(timeZone, hour);
    if (offset === offsetMsAt(timeZone, hour + HOUR_MS)) {
      const firstWall = Math.ceil((hour + offset) / cadenceMs) * cadenceMs;
      for (let wall = firstWall; wall < hour + HOUR_MS + offset; wall += cadenceMs) {
        add(wall - offset, offset);
      }
    } else {
      // The offset changes inside this hour: look at each 5-minute instant on its own.
      for (let t = hour; t < hour + HOUR_MS; t += 5 * MINUTE_MS) add(t, exactOffsetMs(timeZone, t));
    }
  }
  if (timesCache.size >= TIMES_CACHE_LIMIT) timesCache.clear();
  timesCache.set(cacheKey, times);
  return times;
}

function readingTime(utcMs: number, offsetMs: number): ReadingTime {
  const wallIso = new Date(utcMs + offsetMs).toISOString();
  const minutes = Math.abs(offsetMs) / MINUTE_MS;
  const offset = `${offsetMs < 0 ? '-' : '+'}${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
  return {
    utcMs,
    local: `${wallIso.slice(0, 10)} ${wallIso.slice(11, 19)}`,
    offset,
    datetime: `${wallIso.slice(0, 19)}${offset}`,
    hourOfDay: Number(wallIso.slice(11, 13)) + Number(wallIso.slice(14, 16)) / 60,
  };
}

const offsetCache = new Map<string, Map<number, number>>();
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at an instant on a whole UTC hour, cached per hour. */
function offsetMsAt(timeZone: string, hourMs: number): number {
  let zone = offsetCache.get(timeZone);
  if (zone === undefined) {
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  let offset = zone.get(hourMs);
  if (offset === undefined) {
    offset = exactOffsetMs(timeZone, hourMs);
    if (zone.size >= 1_000_000) zone.clear();
    zone.set(hourMs, offset);
  }
  return offset;
}

/** The zone's UTC offset at an instant, from Intl (`GMT+05:30`, `GMT-07:00`, `GMT`). */
function exactOffsetMs(timeZone: string, utcMs: number): number {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    formatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(utcMs).find((part) => part.type === 'timeZoneName')?.value;
  if (name === 'GMT') return 0;
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name ?? '');
  if (m === null) throw new Error(`mirror: unexpected offset "${name}" for time zone ${timeZone}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * MINUTE_MS;
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`mirror: Expected \`seed\` to be an integer, got \`${seed}\``);
  }
}

/** An independent generator for one (seed, a, b) triple: each file has its own stream. */
function rngFor(seed: number, a: number, b: number): RandomGenerator {
  let h = mix(seed | 0) ^ mix(Math.floor(seed / 2 ** 32));
  h = mix(h ^ mix(a));
  h = mix(h ^ mix(b));
  return xoroshiro128plus(h);
}

/** A 32-bit integer hash (the murmur3 finaliser). */
function mix(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function pick<T>(rng: RandomGenerator, items: readonly T[]): T {
  return items[uniformInt(rng, 0, items.length - 1)]!;
}

function shuffle<T>(rng: RandomGenerator, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0: it would print as "0" and compare unequal in tests
}

/** The next double above x, to reproduce float noise like 105.79990000000001. */
function nextUp(x: number): number {
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] = bits[0]! + (x >= 0 ? 1n : -1n);
  return f[0]!;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
