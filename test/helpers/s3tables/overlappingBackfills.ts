/**
 * Two in-process backfills of the same window that have both planned before either commits (see
 * runOverlapping), against the S3 Tables bucket in OPENAQ_TABLE_BUCKET_ARN. Run inside the
 * emulator's namespace; prints both run summaries as JSON.
 *
 *   overlappingBackfills.ts <from> <to> <workDir>
 */
import { generateArchive } from '../../../scripts/mirror/generateArchive.ts';
import { parseArchiveDay } from '../../../job/model/archiveDay.ts';
import { backfillConfig } from '../backfillHarness.ts';
import { runOverlapping } from '../overlappingRuns.ts';

const [from, to, workDir] = process.argv.slice(2) as [string, string, string];
const files = [
  ...generateArchive({
    from: parseArchiveDay(from),
    to: parseArchiveDay(to),
    stations: Number(process.env.STATIONS),
    seed: Number(process.env.SEED),
  }),
];
const options = { from, to, workDir, tableBucketArn: process.env.OPENAQ_TABLE_BUCKET_ARN };
const runs = await runOverlapping(
  await backfillConfig({ ...options, workDir: `${workDir}/a` }),
  await backfillConfig({ ...options, workDir: `${workDir}/b` }),
  files,
);
console.log(JSON.stringify(runs.map((run) => run.summary)));
