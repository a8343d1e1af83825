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

/** Bytes per row of the packed arrays: seven doubles, then the line and four indexes, the flag. */
const ROW_BYTES = 7 * 8 + 4 + 4 * 4 + 1;

/**
 * A copy of the columns' rows, packed (the columns can take the next file at once). All arrays
 * are views of one buffer, doubles first so that every view is aligned, and posting a file to
 * another thread transfers that single buffer.
 */
export function packRows(columns: MeasurementColumns): PackedRows {
  const n = columns.length;
  const buffer = new ArrayBuffer(n * ROW_BYTES);
  let offset = 0;
  const next = <T extends { readonly byteLength: number }>(view: T): T => {
    offset += view.byteLength;
    return view;
  };
  return {
    length: n,
    locationId: copyInto(columns.locationId, next(new Float64Array(buffer, offset, n))),
    sensorsId: copyInto(columns.sensorsId, next(new Float64Array(buffer, offset, n))),
    datetimeUtcMs: copyInto(columns.datetimeUtcMs, next(new Float64Array(buffer, offset, n))),
    datetimeWallMs: copyInto(columns.datetimeWallMs, next(new Float64Array(buffer, offset, n))),
    lat: copyInto(columns.lat, next(new Float64Array(buffer, offset, n))),
    lon: copyInto(columns.lon, next(new Float64Array(buffer, offset, n))),
    value: copyInto(columns.value, next(new Float64Array(buffer, offset, n))),
    line: copyInto(columns.line, next(new Int32Array(buffer, offset, n))),
    location: dictionary(columns.location, next(new Uint32Array(buffer, offset, n))),
    utcOffset: dictionary(columns.utcOffset, next(new Uint32Array(buffer, offset, n))),
    parameter: dictionary(columns.parameter, next(new Uint32Array(buffer, offset, n))),
    units: dictionary(columns.units, next(new Uint32Array(buffer, offset, n))),
    valueFlag: copyInto(columns.valueFlag, next(new Uint8Array(buffer, offset, n))),
  };
}

/** `to` filled with the first `to.length` values of `from`. */
function copyInto<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from.subarray(0, to.length));
  return to;
}

/** The one buffer behind `rows`, to transfer rather than copy when posting it to another thread. */
export const packedBuffers = (rows: PackedRows): ArrayBuffer[] => [
  rows.locationId.buffer as ArrayBuffer,
];

/** Fills `index` with each row's position in the column's distinct values. */
function dictionary(column: readonly (string | null)[], index: Uint32Array): DictionaryColumn {
  const length = index.length;
  const values: (string | null)[] = [];
  const positions = new Map<string | null, number>();
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
