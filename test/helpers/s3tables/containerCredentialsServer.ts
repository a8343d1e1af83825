/**
 * Fargate's container-credentials endpoint, inside the emulator's namespace: serves
 * `GET /v2/credentials/<id>` on 169.254.170.2:80 with fresh AssumeRole credentials for a role,
 * as the ECS agent does for a task role. With `--expire-previous`, issuing a set ends every set
 * issued before it (the emulator then refuses them with ExpiredToken): what a run that outlives
 * its credentials meets, made to happen at each refresh instead of after hours.
 *
 *   containerCredentialsServer.ts <roleArn> <issued.jsonl> [--expire-previous]
 *
 * Each issued set (keys included: test credentials) is appended to <issued.jsonl>; "ready" is printed once listening.
 */
import { appendFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CONTAINER_CREDENTIALS_HOST } from './emulatorNamespace.ts';

export const CREDENTIALS_PATH = '/v2/credentials/task';

const [roleArn, issuedFile, flag] = process.argv.slice(2);
if (!roleArn || !issuedFile)
  throw new Error('containerCredentialsServer: <roleArn> <issued.jsonl>');
const expirePrevious = flag === '--expire-previous';
const sts = new STSClient({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const issued: string[] = [];

async function issue(): Promise<Record<string, string>> {
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `task-${issued.length + 1}` }),
  );
  if (expirePrevious) {
    for (const key of issued) {
      await fetch(`https://sts.amazonaws.com/_openaq/expire-session?accessKeyId=${key}`, {
        method: 'POST',
      });
    }
  }
  issued.push(c!.AccessKeyId!);
  const set = {
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  };
  await appendFile(issuedFile!, `${JSON.stringify(set)}\n`);
  return {
    RoleArn: roleArn!,
    AccessKeyId: c!.AccessKeyId!,
    SecretAccessKey: c!.SecretAccessKey!,
    Token: c!.SessionToken!,
    Expiration: c!.Expiration!.toISOString(),
  };
}

const server = createServer((request, response) => {
  if (request.url !== CREDENTIALS_PATH) {
    response.writeHead(404).end();
    return;
  }
  issue().then(
    (body) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
    (err: Error) => response.writeHead(500).end(err.message),
  );
});
server.listen(80, CONTAINER_CREDENTIALS_HOST, () => console.log('ready'));
