import { describe, expect, it } from 'vitest';
import { dockerRunCommand } from '../../infra/dockerRunCommand.ts';
import { ecrLoginCommand } from '../../infra/ecrLoginCommand.ts';
import { ecsRunTaskCommand } from '../../infra/ecsRunTaskCommand.ts';
import { shellQuote } from '../../infra/shellQuote.ts';

describe('shellQuote', () => {
  it.each([
    ['arn:aws:s3tables:us-east-1:1:bucket/a', 'arn:aws:s3tables:us-east-1:1:bucket/a'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['$HOME', "'$HOME'"],
    ['', "''"],
  ])('quotes %j as %s', (word, quoted) => expect(shellQuote(word)).toBe(quoted));
});

describe('dockerRunCommand', () => {
  it("backfills $FROM..$TO into the bucket with the caller's AWS credentials", () => {
    expect(
      dockerRunCommand({
        imageUri: '1.dkr.ecr.us-east-1.amazonaws.com/aq@sha256:ab',
        tableBucketArn: 'arn:aws:s3tables:us-east-1:1:bucket/aq',
        region: 'us-east-1',
      }),
    ).toBe(
      'docker run --rm --platform linux/arm64 -v "$HOME/.aws:/home/node/.aws:ro" ' +
        '-e AWS_PROFILE -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN ' +
        '-e AWS_REGION=us-east-1 -e OPENAQ_TABLE_BUCKET_ARN=arn:aws:s3tables:us-east-1:1:bucket/aq ' +
        '1.dkr.ecr.us-east-1.amazonaws.com/aq@sha256:ab backfill --from "$FROM" --to "$TO"',
    );
  });
});

describe('ecsRunTaskCommand', () => {
  const base = {
    region: 'us-east-1',
    cluster: 'aq',
    taskFamily: 'aq-job',
    subnetIds: ['subnet-1', 'subnet-2'],
    securityGroupId: 'sg-1',
    containerName: 'job',
  };

  it("runs the default command on the schedule's network", () => {
    expect(ecsRunTaskCommand(base)).toBe(
      'aws ecs run-task --region us-east-1 --cluster aq --task-definition aq-job ' +
        '--launch-type FARGATE --platform-version LATEST --network-configuration ' +
        "'awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=ENABLED}'",
    );
  });

  it('overrides the command with JSON in which $FROM and $TO still expand', () => {
    const command = ecsRunTaskCommand({
      ...base,
      command: ['backfill', '--from', '$FROM', '--to', '$TO'],
    });
    expect(
      command.endsWith(
        ' --overrides "{\\"containerOverrides\\":[{\\"name\\":\\"job\\",\\"command\\":' +
          '[\\"backfill\\",\\"--from\\",\\"$FROM\\",\\"--to\\",\\"$TO\\"]}]}"',
      ),
    ).toBe(true);
  });

  it('refuses words the double-quoted JSON could not carry', () => {
    expect(() => ecsRunTaskCommand({ ...base, command: ['say "hi"'] })).toThrow(
      'infra: cannot put `say "hi"` in a run-task command override',
    );
    expect(() => ecsRunTaskCommand({ ...base, command: ['$(id)'] })).toThrow('`$(id)`');
  });
});

describe('ecrLoginCommand', () => {
  it("logs docker in to the repository's registry", () => {
    expect(ecrLoginCommand('eu-west-1', '1.dkr.ecr.eu-west-1.amazonaws.com/aq')).toBe(
      'aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 1.dkr.ecr.eu-west-1.amazonaws.com',
    );
  });
});
