/**
 * The job's environment variables that the task definition sets. The CLI reads every option from
 * `OPENAQ_<OPTION>` (job/commands/envOptions.ts, the running command's own options only); a unit test checks each name against the CLI's options.
 */
export const JOB_ENV = {
  tableBucketArn: 'OPENAQ_TABLE_BUCKET_ARN',
  namespace: 'OPENAQ_NAMESPACE',
  lookbackDays: 'OPENAQ_LOOKBACK_DAYS',
  memoryLimit: 'OPENAQ_MEMORY_LIMIT',
  threads: 'OPENAQ_THREADS',
  parseThreads: 'OPENAQ_PARSE_THREADS',
  source: 'OPENAQ_SOURCE',
  reconcileDays: 'OPENAQ_RECONCILE_DAYS',
  queueUrl: 'OPENAQ_QUEUE_URL',
  deadLetterQueueUrl: 'OPENAQ_DEAD_LETTER_QUEUE_URL',
} as const;

export interface JobEnvironmentArgs {
  readonly tableBucketArn: string;
  readonly namespace: string;
  readonly lookbackDays: number;
  /** Task CPU units and memory (MiB), as in the task definition. */
  readonly cpu: number;
  readonly memory: number;
  readonly region: string;
  /**
   * The notification feed's queues, when it is on: the nightly then reads the feed and lists the
   * last `lookbackDays` after it (`--source reconcile`), counting what the feed missed.
   */
  readonly feed?: { readonly queueUrl: string; readonly deadLetterQueueUrl: string };
}

/** Container environment of the nightly task (ECS `environment` entries). */
export function jobEnvironment(args: JobEnvironmentArgs): { name: string; value: string }[] {
  return [
    { name: JOB_ENV.tableBucketArn, value: args.tableBucketArn },
    { name: JOB_ENV.namespace, value: args.namespace },
    { name: JOB_ENV.lookbackDays, value: String(args.lookbackDays) },
    { name: JOB_ENV.memoryLimit, value: duckdbMemoryLimit(args.memory) },
    { name: JOB_ENV.threads, value: String(duckdbThreads(args.cpu)) },
    { name: JOB_ENV.parseThreads, value: String(parseThreads(args.cpu)) },
    { name: 'AWS_REGION', value: args.region },
    ...(args.feed
      ? [
          { name: JOB_ENV.source, value: 'reconcile' },
          { name: JOB_ENV.reconcileDays, value: String(args.lookbackDays) },
          { name: JOB_ENV.queueUrl, value: args.feed.queueUrl },
          { name: JOB_ENV.deadLetterQueueUrl, value: args.feed.deadLetterQueueUrl },
        ]
      : []),
  ];
}

/**
 * DuckDB's memory limit for a task of `memoryMiB`: 60 %, leaving the rest to Node, the HTTP
 * buffers and the OS; staging spills to disk beyond it.
 */
export function duckdbMemoryLimit(memoryMiB: number): string {
  return `${Math.floor(memoryMiB * 0.6)}MiB`;
}

/** DuckDB threads for `cpu` units: one per vCPU. (Node may see the host's cores, not the task's.) */
export function duckdbThreads(cpu: number): number {
  return Math.max(1, Math.floor(cpu / 1024));
}

/**
 * Parser threads for `cpu` units: one per vCPU beside the main thread's, at least one. Set
 * explicitly because the job's default (cores − 1) would count the host's cores.
 */
export function parseThreads(cpu: number): number {
  return Math.max(1, Math.floor(cpu / 1024) - 1);
}
