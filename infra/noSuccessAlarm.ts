/**
 * The run metrics the job logs in CloudWatch Embedded Metric Format (job/output/metricsRecord.ts;
 * a test keeps the two in step): namespace, the exit-code metric and the command dimension.
 */
export const RUN_METRICS = {
  namespace: 'OpenAQLakehouse',
  exitCode: 'ExitCode',
  commandDimension: 'Command',
  nightlyCommand: 'nightly',
} as const;

/** What the no-success alarm watches and when it fires (the `aws.cloudwatch.MetricAlarm` inputs). */
export interface NoSuccessAlarmInputs {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: 'Minimum';
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: 'GreaterThanThreshold';
  readonly treatMissingData: 'breaching';
}

/**
 * "No nightly run succeeded for `hours` hours": per hour, the lowest exit code the nightly
 * reported; an hour with a success has 0, an hour with only failures has more, an hour without a
 * run has no data, which counts as breaching. The alarm fires when every one of the last `hours`
 * hours breached: `hours` hours after the last success (or after the deploy, until the first one).
 */
export function noSuccessAlarm(hours: number): NoSuccessAlarmInputs {
  // CloudWatch evaluates at most 7 days of 1-hour periods.
  if (!Number.isInteger(hours) || hours < 1 || hours > 168) {
    throw new Error(`infra: Expected the no-success window to be 1–168 hours, got \`${hours}\``);
  }
  return {
    namespace: RUN_METRICS.namespace,
    metricName: RUN_METRICS.exitCode,
    dimensions: { [RUN_METRICS.commandDimension]: RUN_METRICS.nightlyCommand },
    statistic: 'Minimum',
    period: 3600,
    evaluationPeriods: hours,
    datapointsToAlarm: hours,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'breaching',
  };
}
