/**
 * One reading as parsed from an OpenAQ archive file, before any lake-side columns are added.
 * Field names follow the file's columns; `datetime` is split into the instant and what the file
 * wrote, so nothing the file said is lost.
 */
export interface Measurement {
  /** 1-based line in the decompressed file (the header is line 1). */
  line: number;
  locationId: number;
  /** Null when the file left it empty. */
  sensorsId: number | null;
  /** Site name plus sensor-system suffix, e.g. `Del Norte-2178`; null when empty. */
  location: string | null;
  /** The reading's instant, epoch milliseconds. */
  datetimeUtcMs: number;
  /** Local wall time `YYYY-MM-DD HH:MM:SS`, as written in the file. */
  datetimeLocal: string;
  /** UTC offset as written, `-07:00`, `+05:30`; `Z` is normalised to `+00:00`. */
  utcOffset: string;
  lat: number | null;
  lon: number | null;
  parameter: string;
  /** Null when the file left it empty. */
  units: string | null;
  /** As reported: sentinels and negatives are kept and flagged, never dropped or changed. */
  value: number;
  /** `sentinel` for exactly -999, `negative` for any other value below zero, else null. */
  valueFlag: 'sentinel' | 'negative' | null;
}

/** A line of a file that was refused; the good lines of the same file are still loaded. */
export interface RowReject {
  /** 1-based line in the decompressed file. */
  line: number;
  /** Names the field and the bad value, e.g. `value "n/a" is not a number`. */
  reason: string;
  /** The line as written, without its line ending. */
  rawText: string;
}
