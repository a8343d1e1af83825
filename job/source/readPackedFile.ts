import type { MeasurementColumns } from '../model/measurementColumns.ts';
import { packRows, type PackedRows } from '../model/packedRows.ts';
import { readArchiveFile, type ArchiveFile, type FileVerdict } from './parseArchiveFile.ts';

/** What reading a file found, with its good rows packed to cross a thread. */
export type PackedFileVerdict =
  | (Extract<FileVerdict, { kind: 'parsed' }> & { readonly rows: PackedRows })
  | Extract<FileVerdict, { kind: 'rejected' }>;

/** readArchiveFile, packed. `columns` is scratch space, reused from file to file. */
export function readPackedFile(file: ArchiveFile, columns: MeasurementColumns): PackedFileVerdict {
  const verdict = readArchiveFile(file, columns);
  return verdict.kind === 'parsed' ? { ...verdict, rows: packRows(columns) } : verdict;
}

/** What the pool posts to a parser thread, and what comes back. */
export interface ParseRequest {
  readonly id: number;
  readonly file: ArchiveFile;
}
export type ParseResponse =
  | { readonly id: number; readonly verdict: PackedFileVerdict; readonly busyMs: number }
  | { readonly id: number; readonly error: string };
