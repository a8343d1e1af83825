/**
 * Fargate's container-credentials endpoint, inside the emulator's namespace: serves
 * `GET /v2/credentials/<id>` on 169.254.170.2:80 with fresh AssumeRole credentials for a role,
 * as the ECS agent does for a task role. With `--expire-previous`, issuing a set ends every set
 * issued before it (the emulator then refuses them with ExpiredToken): what a run that outlives
 * its credentials meets, made to happen at each refresh instead of after hours.
 *
 *   containerCredentialsServer.ts <roleArn> <issued.jsonl> [--expire-previous]
 *
 * Each set handed out (keys included: test credentials) is appended to <issued.jsonl>; "ready" is printed once listening.
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
/** Sets handed out so far (access key ids), in order. */
const served: string[] = [];

async function assumeRole(): Promise<Record<string, string>> {
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `task-${served.length + 1}` }),
  );
  return {
    RoleArn: roleArn!,
    AccessKeyId: c!.AccessKeyId!,
    SecretAccessKey: c!.SecretAccessKey!,
    Token: c!.SessionToken!,
    Expiration: c!.Expiration!.toISOString(),
  };
}

// The next set is ready before it is asked for: the AWS SDKs give this endpoint about a second,
// and the emulator's AssumeRole can take longer than that on a busy machine.
let next = await assumeRole();

/** Hands out the ready set, then ends the earlier ones and gets the next one ready. */
async function serve(): Promise<Record<string, string>> {
  const set = next;
  const earlier = [...served];
  served.push(set.AccessKeyId!);
  await appendFile(
    issuedFile!,
    `${JSON.stringify({ accessKeyId: set.AccessKeyId, secretAccessKey: set.SecretAccessKey, sessionToken: set.Token })}\n`,
  );
  next = await assumeRole();
  if (expirePrevious) {
    for (const key of earlier) {
      await fetch(`https://sts.amazonaws.com/_openaq/expire-session?accessKeyId=${key}`, {
        method: 'POST',
      });
    }
  }
  return set;
}

let queue: Promise<unknown> = Promise.resolve();
const server = createServer((request, response) => {
  if (request.url !== CREDENTIALS_PATH) {
    response.writeHead(404).end();
    return;
  }
  // Answer at once with the ready set; the rotation that follows runs one at a time.
  const set = next;
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(set));
  queue = queue
    .then(() => (set === next ? serve() : undefined))
    .catch((err: Error) => {
      console.error(`containerCredentialsServer: ${err.message}`);
    });
});
server.listen(80, CONTAINER_CREDENTIALS_HOST, () => console.log('ready'));
