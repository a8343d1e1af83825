import {
  DescribeTasksCommand,
  ListTasksCommand,
  StopTaskCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliResult } from '../runCli.ts';

/** One ECS task the emulator started, as this stand-in for Fargate ran it. */
export interface TaskRun {
  /** The container command override (the job's arguments). */
  readonly command: readonly string[];
  readonly result: CliResult;
}

/**
 * Plays Fargate for an emulator without containers: its ECS tasks stay RUNNING until stopped, so
 * this polls the cluster's running tasks, runs each new one's command override with `run` (the
 * real CLI, as the task's container would), then stops the task, which is what a `runTask.sync`
 * state waits for. Counts how many ran at once.
 */
export class FakeFargate {
  readonly runs: TaskRun[] = [];
  /** The most tasks running at the same time. */
  maxRunning = 0;
  private readonly started = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private failure: Error | undefined;

  private readonly ecs: ECSClient;
  private readonly cluster: string;
  private readonly run: (command: readonly string[]) => Promise<CliResult>;

  constructor(
    ecs: ECSClient,
    cluster: string,
    run: (command: readonly string[]) => Promise<CliResult>,
  ) {
    this.ecs = ecs;
    this.cluster = cluster;
    this.run = run;
  }

  start(): void {
    this.loop = this.poll().catch((err: unknown) => {
      this.failure ??= asError(err);
    });
  }

  /** Stops polling once the tasks it started have ended; throws what went wrong meanwhile. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }

  private async poll(): Promise<void> {
    while (!this.stopping) {
      const listed = await this.ecs.send(
        new ListTasksCommand({ cluster: this.cluster, desiredStatus: 'RUNNING' }),
      );
      const fresh = (listed.taskArns ?? []).filter((arn) => !this.started.has(arn));
      if (fresh.length > 0) {
        const described = await this.ecs.send(
          new DescribeTasksCommand({ cluster: this.cluster, tasks: fresh }),
        );
        for (const task of described.tasks ?? []) this.launch(task.taskArn!, task.overrides);
      }
      await sleep(100);
    }
  }

  private launch(
    taskArn: string,
    overrides: { containerOverrides?: { command?: string[] }[] } | undefined,
  ): void {
    this.started.add(taskArn);
    const command = overrides?.containerOverrides?.[0]?.command ?? [];
    const done = (async () => {
      const result = await this.run(command);
      this.runs.push({ command, result });
      await this.ecs.send(
        new StopTaskCommand({
          cluster: this.cluster,
          task: taskArn,
          reason: `exited with ${result.code}`,
        }),
      );
    })().catch((err: unknown) => {
      this.failure ??= asError(err);
    });
    this.inFlight.add(done);
    this.maxRunning = Math.max(this.maxRunning, this.inFlight.size);
    void done.finally(() => this.inFlight.delete(done));
  }
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
