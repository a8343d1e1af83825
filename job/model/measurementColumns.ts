import type { Measurement } from './measurement.ts';

/** `Measurement.valueFlag` as a number: 0 none, 1 `sentinel`, 2 `negative`. */
export const VALUE_FLAGS = [null, 'sentinel', 'negative'] as const;
export type ValueFlagCode = 0 | 1 | 2;

const INITIAL_CAPACITY = 1024;

/**
 * One file's good rows, column by column, in buffers that are reused from file to file: parsing
 * creates no object per row, and nothing a file leaves behind outlives the next file. Numbers are
 * typed arrays (NaN stands for null; the parser never yields NaN); strings are the parser's own
 * field strings. `clear()` starts the next file.
 */
export class MeasurementColumns {
  /** Rows held. */
  length = 0;
  line = new Int32Array(INITIAL_CAPACITY);
  locationId = new Float64Array(INITIAL_CAPACITY);
  sensorsId = new Float64Array(INITIAL_CAPACITY);
  datetimeUtcMs = new Float64Array(INITIAL_CAPACITY);
  /** The local wall time `datetimeLocal` names, as epoch ms of the same wall time in UTC. */
  datetimeWallMs = new Float64Array(INITIAL_CAPACITY);
  lat = new Float64Array(INITIAL_CAPACITY);
  lon = new Float64Array(INITIAL_CAPACITY);
  value = new Float64Array(INITIAL_CAPACITY);
  valueFlag = new Uint8Array(INITIAL_CAPACITY);
  readonly location: (string | null)[] = [];
  readonly utcOffset: string[] = [];
  readonly parameter: string[] = [];
  readonly units: (string | null)[] = [];

  clear(): void {
    this.length = 0;
  }

  /** Appends one row; arguments in `Measurement`'s field order. */
  push(
    line: number,
    locationId: number,
    sensorsId: number | null,
    location: string | null,
    datetimeUtcMs: number,
    datetimeWallMs: number,
    utcOffset: string,
    lat: number | null,
    lon: number | null,
    parameter: string,
    units: string | null,
    value: number,
  ): void {
    const i = this.length;
    if (i === this.line.length) this.#grow();
    this.line[i] = line;
    this.locationId[i] = locationId;
    this.sensorsId[i] = sensorsId ?? NaN;
    this.location[i] = location;
    this.datetimeUtcMs[i] = datetimeUtcMs;
    this.datetimeWallMs[i] = datetimeWallMs;
    this.utcOffset[i] = utcOffset;
    this.lat[i] = lat ?? NaN;
    this.lon[i] = lon ?? NaN;
    this.parameter[i] = parameter;
    this.units[i] = units;
    this.value[i] = value;
    this.valueFlag[i] = value === -999 ? 1 : value < 0 ? 2 : 0;
    this.length = i + 1;
  }

  /** Row `i` as a `Measurement` object (for tests and tools; the job reads the columns). */
  measurement(i: number): Measurement {
    const nullable = (n: number): number | null => (Number.isNaN(n) ? null : n);
    const wall = new Date(this.datetimeWallMs[i]!).toISOString();
    return {
      line: this.line[i]!,
      locationId: this.locationId[i]!,
      sensorsId: nullable(this.sensorsId[i]!),
      location: this.location[i]!,
      datetimeUtcMs: this.datetimeUtcMs[i]!,
      datetimeLocal: `${wall.slice(0, 10)} ${wall.slice(11, 19)}`,
      utcOffset: this.utcOffset[i]!,
      lat: nullable(this.lat[i]!),
      lon: nullable(this.lon[i]!),
      parameter: this.parameter[i]!,
      units: this.units[i]!,
      value: this.value[i]!,
      valueFlag: VALUE_FLAGS[this.valueFlag[i] as ValueFlagCode],
    };
  }

  #grow(): void {
    const capacity = this.line.length * 2;
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.line = grown(this.line, new Int32Array(capacity));
    this.locationId = grown(this.locationId, new Float64Array(capacity));
    this.sensorsId = grown(this.sensorsId, new Float64Array(capacity));
    this.datetimeUtcMs = grown(this.datetimeUtcMs, new Float64Array(capacity));
    this.datetimeWallMs = grown(this.datetimeWallMs, new Float64Array(capacity));
    this.lat = grown(this.lat, new Float64Array(capacity));
    this.lon = grown(this.lon, new Float64Array(capacity));
    this.value = grown(this.value, new Float64Array(capacity));
    this.valueFlag = grown(this.valueFlag, new Uint8Array(capacity));
  }
}
