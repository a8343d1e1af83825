/** Physical names of the stack's named resources, all derived from one prefix and the stack. */
export interface ResourceNames {
  readonly tableBucket: string;
  readonly repository: string;
  readonly cluster: string;
  readonly taskFamily: string;
  readonly logGroup: string;
  readonly schedule: string;
  readonly deadLetterQueue: string;
  readonly alertTopic: string;
  /** Where EventBridge parks alert messages it could not deliver to the topic. */
  readonly alertDeadLetterQueue: string;
  /** The queue subscribed to OpenAQ's object-created topic, and its dead-letter queue. */
  readonly feedQueue: string;
  readonly feedDeadLetterQueue: string;
  /** The feed's hourly run and the reconciliation run: schedule and state machine names. */
  readonly feedRun: string;
  readonly reconcileRun: string;
}

/**
 * `<prefix>-<stack>` for everything, `/ecs/<prefix>-<stack>` for the log group. The base must be a
 * valid S3 Tables bucket name (3–63 characters of a–z, 0–9 and -, starting and ending with a letter
 * or digit), the strictest of the names.
 */
export function resourceNames(prefix: string, stack: string, tableBucket?: string): ResourceNames {
  const base = `${prefix}-${stack}`.toLowerCase();
  const bucket = tableBucket ?? base;
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new Error(
      `config: Expected the table bucket name (\`tableBucketName\`, or \`namePrefix\`-<stack>) to be 3–63 characters of a-z, 0-9 and -, got \`${bucket}\``,
    );
  }
  if (!/^[a-z0-9][a-z0-9-]{1,50}$/.test(base)) {
    throw new Error(
      `config: Expected \`namePrefix\`-<stack> to be at most 51 characters of a-z, 0-9 and -, got \`${base}\``,
    );
  }
  return {
    tableBucket: bucket,
    repository: base,
    cluster: base,
    taskFamily: `${base}-job`,
    logGroup: `/ecs/${base}`,
    schedule: `${base}-nightly`,
    deadLetterQueue: `${base}-schedule-dlq`,
    alertTopic: `${base}-alerts`,
    alertDeadLetterQueue: `${base}-alerts-dlq`,
    feedQueue: `${base}-feed`,
    feedDeadLetterQueue: `${base}-feed-dlq`,
    feedRun: `${base}-feed-run`,
    reconcileRun: `${base}-reconcile`,
  };
}
