import { JOB_ENV } from './jobEnvironment.ts';
import { shellQuote } from './shellQuote.ts';

export interface DockerRunArgs {
  readonly imageUri: string;
  readonly tableBucketArn: string;
  readonly region: string;
}

/**
 * The `docker run` that backfills a window from a laptop into the deployed catalog with the same
 * image as the nightly task. AWS credentials come from the caller: the mounted `~/.aws` with
 * `AWS_PROFILE`, or `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` (`-e NAME`
 * passes a variable only when it is set). The window is `$FROM`..`$TO` (YYYY-MM-DD).
 */
export function dockerRunCommand(args: DockerRunArgs): string {
  return [
    'docker run --rm --platform linux/arm64',
    '-v "$HOME/.aws:/home/node/.aws:ro"',
    '-e AWS_PROFILE -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN',
    `-e AWS_REGION=${shellQuote(args.region)}`,
    `-e ${JOB_ENV.tableBucketArn}=${shellQuote(args.tableBucketArn)}`,
    shellQuote(args.imageUri),
    'backfill --from "$FROM" --to "$TO"',
  ].join(' ');
}
