import { shellQuote } from './shellQuote.ts';

/**
 * The `aws stepfunctions start-execution` of a backfill of $FROM..$TO whose manifest
 * plan-backfill wrote to s3://<manifestBucket>/$MANIFEST_KEY. The execution is named after the
 * window: a second start of the same window within 90 days is refused by Step Functions
 * (ExecutionAlreadyExists), so one window never runs twice at once.
 */
export function startExecutionCommand(args: {
  readonly region: string;
  readonly stateMachineArn: string;
  readonly manifestBucket: string;
}): string {
  const input = `{"manifestBucket":"${args.manifestBucket}","manifestKey":"$MANIFEST_KEY"}`;
  if (!/^[a-z0-9.-]+$/.test(args.manifestBucket)) {
    throw new Error(
      `infra: cannot put bucket \`${args.manifestBucket}\` in a start-execution input`,
    );
  }
  return [
    'aws stepfunctions start-execution',
    `--region ${shellQuote(args.region)}`,
    `--state-machine-arn ${shellQuote(args.stateMachineArn)}`,
    '--name "backfill-$FROM-$TO"',
    // JSON in double quotes so that $FROM/$TO expand.
    `--input "${input.replace(/"/g, '\\"')}"`,
  ].join(' ');
}
