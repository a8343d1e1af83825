import { addDays, type ArchiveDay } from '../../job/model/archiveDay.ts';

export interface BenchWindow {
  readonly from: ArchiveDay;
  readonly to: ArchiveDay;
}

/** A month after the quoted-CRLF switch, with DST changes in it (US on the 10th, EU on the 31st). */
export const MONTH_WINDOW: BenchWindow = { from: '2024-03-01', to: '2024-03-31' };
/** Three years: the large points are years of a few hundred stations, as a backfill of history. */
export const YEARS_WINDOW: BenchWindow = { from: '2022-01-01', to: '2024-12-31' };
/** From this many files a point spans YEARS_WINDOW (1000k: ~910 stations × 1,096 days). */
export const YEARS_FROM_FILES = 500_000;

export const pointWindow = (files: number): BenchWindow =>
  files >= YEARS_FROM_FILES ? YEARS_WINDOW : MONTH_WINDOW;

/** The history measurement's nightly: 7 days × ~1,000 stations, the week after the point's window. */
export const NIGHTLY_FILES = 7_000;
export const nightlyWindow = (after: BenchWindow): BenchWindow => ({
  from: addDays(after.to, 1),
  to: addDays(after.to, 7),
});
