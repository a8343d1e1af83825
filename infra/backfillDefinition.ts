import {
  ECS_START_ERRORS,
  RETRIED_TASK_ERRORS,
  publishState,
  runTaskState,
  type RetryPolicy,
  type TaskTarget,
} from './runTaskState.ts';

export interface BackfillDefinitionArgs {
  readonly task: TaskTarget;
  /** Shards running at once (Distributed Map MaxConcurrency). */
  readonly maxConcurrency: number;
  /** Share of shards that may fail (after their retries) without failing the map, 0–100. */
  readonly toleratedFailurePercentage: number;
  /** A shard's task is stopped (and retried) after this long. */
  readonly shardTimeoutSeconds: number;
  readonly shardRetry: RetryPolicy;
  /** The final ledger check's timeout. */
  readonly verifyTimeoutSeconds: number;
  readonly topicArn: string;
}

/** The map state's label (in child execution ARNs: `execution:<machine>/Shards:<id>`). */
export const SHARDS_STATE = 'Shards';

/**
 * The multi-year backfill as an Amazon States Language definition (JSONPath). Input:
 * `{"manifestBucket": "…", "manifestKey": "…"}`, a manifest written by `plan-backfill`. A
 * Distributed Map reads it (JSON lines) and runs each shard's command as a Fargate task
 * (`ecs:runTask.sync`), `maxConcurrency` at once, each with a timeout and retries with backoff;
 * then `verify-backfill` (same image) checks the files ledger covers the manifest; SNS is told of
 * the success or of the failure and its cause. Pure: a function of its inputs.
 */
export function backfillDefinition(args: BackfillDefinitionArgs): Record<string, unknown> {
  const failure = { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyFailure' };
  return {
    Comment:
      'openaq-lakehouse: a backfill planned as shards (plan-backfill), one Fargate task each',
    StartAt: SHARDS_STATE,
    States: {
      [SHARDS_STATE]: {
        Type: 'Map',
        Label: SHARDS_STATE,
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSONL' },
          Parameters: { 'Bucket.$': '$.manifestBucket', 'Key.$': '$.manifestKey' },
        },
        ItemSelector: {
          'shard.$': '$$.Map.Item.Value.shard',
          'command.$': '$$.Map.Item.Value.command',
        },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Shard',
          States: {
            Shard: {
              ...runTaskState(args.task, {
                command: '$.command',
                timeoutSeconds: args.shardTimeoutSeconds,
                retry: args.shardRetry,
                retryOn: RETRIED_TASK_ERRORS,
              }),
              End: true,
            },
          },
        },
        MaxConcurrency: args.maxConcurrency,
        ToleratedFailurePercentage: args.toleratedFailurePercentage,
        // Thousands of shard results would pass the 256 KB state limit: keep the input.
        ResultPath: null,
        Catch: [failure],
        Next: 'Verify',
      },
      Verify: {
        ...runTaskState(args.task, {
          command:
            "States.Array('verify-backfill', '--manifest', States.Format('s3://{}/{}', $.manifestBucket, $.manifestKey))",
          timeoutSeconds: args.verifyTimeoutSeconds,
          retry: args.shardRetry,
          retryOn: ECS_START_ERRORS,
        }),
        Catch: [failure],
        Next: 'NotifySuccess',
      },
      NotifySuccess: publishState(
        args.topicArn,
        'openaq-lakehouse backfill finished',
        "States.Format('Backfill {} finished: every shard of s3://{}/{} is in the files ledger.', $$.Execution.Name, $.manifestBucket, $.manifestKey)",
        { End: true },
      ),
      NotifyFailure: publishState(
        args.topicArn,
        'openaq-lakehouse backfill FAILED',
        "States.Format('Backfill {} of s3://{}/{} failed: {} {}. Re-run the uncovered shards (verify-backfill names them) or redrive the execution.', $$.Execution.Name, $.manifestBucket, $.manifestKey, $.error.Error, $.error.Cause)",
        { Next: 'Failed' },
      ),
      Failed: { Type: 'Fail', Error: 'BackfillFailed', Cause: 'See the NotifyFailure input' },
    },
  };
}
