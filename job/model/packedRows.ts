import type { MeasurementColumns } from './measurementColumns.ts';

/** A string column, dictionary-encoded: its distinct values and each row's position among them. */
export interface DictionaryColumn {
  readonly values: readonly (string | null)[];
  readonly index: Uint32Array;
}

/**
 * One file's good rows, packed to cross a thread: numbers in typed arrays of exactly `length`
 * (transferable, NaN for null as in MeasurementColumns) and strings dictionary-encoded (a file
 * repeats a handful of names, parameters and offsets over hundreds of rows).
 */
export interface PackedRows {
  readonly length: number;
  readonly line: Int32Array;
  readonly locationId: Float64Array;
  readonly sensorsId: Float64Array;
  readonly datetimeUtcMs: Float64Array;
  readonly datetimeWallMs: Float64Array;
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  readonly value: Float64Array;
  /** See VALUE_FLAGS. */
  readonly valueFlag: Uint8Array;
  readonly location: DictionaryColumn;
  readonly utcOffset: DictionaryColumn;
  readonly parameter: DictionaryColumn;
  readonly units: DictionaryColumn;
}

/** A copy of the columns' rows, packed (the columns can take the next file at once). */
export function packRows(columns: MeasurementColumns): PackedRows {
  const n = columns.length;
  return {
    length: n,
    line: columns.line.slice(0, n),
    locationId: columns.locationId.slice(0, n),
    sensorsId: columns.sensorsId.slice(0, n),
    datetimeUtcMs: columns.datetimeUtcMs.slice(0, n),
    datetimeWallMs: columns.datetimeWallMs.slice(0, n),
    lat: columns.lat.slice(0, n),
    lon: columns.lon.slice(0, n),
    value: columns.value.slice(0, n),
    valueFlag: columns.valueFlag.slice(0, n),
    location: dictionary(columns.location, n),
    utcOffset: dictionary(columns.utcOffset, n),
    parameter: dictionary(columns.parameter, n),
    units: dictionary(columns.units, n),
  };
}

/** The buffers of `rows`, to transfer rather than copy when posting it to another thread. */
export const packedBuffers = (rows: PackedRows): ArrayBuffer[] =>
  [
    rows.line,
    rows.locationId,
    rows.sensorsId,
    rows.datetimeUtcMs,
    rows.datetimeWallMs,
    rows.lat,
    rows.lon,
    rows.value,
    rows.valueFlag,
    rows.location.index,
    rows.utcOffset.index,
    rows.parameter.index,
    rows.units.index,
  ].map((array) => array.buffer as ArrayBuffer);

function dictionary(column: readonly (string | null)[], length: number): DictionaryColumn {
  const values: (string | null)[] = [];
  const positions = new Map<string | null, number>();
  const index = new Uint32Array(length);
  let last: string | null | undefined;
  let lastPosition = 0;
  for (let i = 0; i < length; i++) {
    const value = column[i] as string | null;
    if (value !== last) {
      last = value;
      let position = positions.get(value);
      if (position === undefined) {
        position = values.length;
        positions.set(value, position);
        values.push(value);
      }
      lastPosition = position;
    }
    index[i] = lastPosition;
  }
  return { values, index };
}
