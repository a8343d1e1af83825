import { shellQuote } from './shellQuote.ts';

export interface EcsRunTaskArgs {
  readonly region: string;
  readonly cluster: string;
  /** Task family: runs its latest ACTIVE revision. */
  readonly taskFamily: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  /** Container to override the command of. */
  readonly containerName: string;
  /**
   * Command words replacing the image's default (`nightly`), e.g. ['backfill', '--from', '$FROM'].
   * Words starting with `$` are left for the shell to expand. Empty: run the default.
   */
  readonly command?: readonly string[];
}

/** The `aws ecs run-task` for an ad-hoc run on the same network as the nightly schedule. */
export function ecsRunTaskCommand(args: EcsRunTaskArgs): string {
  const network =
    `awsvpcConfiguration={subnets=[${args.subnetIds.join(',')}],` +
    `securityGroups=[${args.securityGroupId}],assignPublicIp=ENABLED}`;
  const parts = [
    'aws ecs run-task',
    `--region ${shellQuote(args.region)}`,
    `--cluster ${shellQuote(args.cluster)}`,
    `--task-definition ${shellQuote(args.taskFamily)}`,
    '--launch-type FARGATE --platform-version LATEST',
    `--network-configuration ${shellQuote(network)}`,
  ];
  if (args.command && args.command.length > 0) {
    // JSON in double quotes so that $FROM/$TO expand; the other words cannot hold " or $.
    const words = args.command.map((word) => {
      if (/["\\`]/.test(word) || (word.includes('$') && !/^\$[A-Z_]+$/.test(word))) {
        throw new Error(`infra: cannot put \`${word}\` in a run-task command override`);
      }
      return `\\"${word}\\"`;
    });
    parts.push(
      `--overrides "{\\"containerOverrides\\":[{\\"name\\":\\"${args.containerName}\\",\\"command\\":[${words.join(',')}]}]}"`,
    );
  }
  return parts.join(' ');
}
