import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTestCertificates, type TestCertificates } from './testCertificates.ts';

/** Where DuckDB's httpfs (its static libcurl) and Debian's OpenSSL look for trusted CAs. */
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** Fargate's container-credentials address, added to the namespace's loopback. */
export const CONTAINER_CREDENTIALS_HOST = '169.254.170.2';
const REGION = 'us-east-1';

/** The AWS host names DuckDB and the AWS SDK reach, all pointing at the emulator. */
export function awsHostNames(buckets: readonly string[]): string[] {
  return [
    `s3tables.${REGION}.amazonaws.com`,
    's3.amazonaws.com',
    `s3.${REGION}.amazonaws.com`,
    'sts.amazonaws.com',
    `sts.${REGION}.amazonaws.com`,
    'iam.amazonaws.com',
    ...buckets.flatMap((b) => [`${b}.s3.amazonaws.com`, `${b}.s3.${REGION}.amazonaws.com`]),
  ];
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The emulator (ministack, AUTH on, TLS on 443) in a private network and mount namespace whose
 * /etc/hosts sends the AWS host names to it and whose CA bundle trusts a CA made for this run.
 * Nothing outside the namespace changes; commands run inside with `nsenter`.
 */
export interface EmulatorNamespace {
  readonly dir: string;
  readonly certificates: TestCertificates;
  /** Runs a command inside the namespace to completion. */
  run(
    command: string,
    args: readonly string[],
    env?: NodeJS.ProcessEnv,
    timeoutMs?: number,
  ): Promise<CommandResult>;
  /** Starts a long-running command inside the namespace. */
  spawn(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess;
  stop(): Promise<void>;
}

/** Why the emulator cannot run here, or undefined when it can. */
export async function emulatorUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `needs Linux namespaces (this is ${process.platform})`;
  if (!existsSync(SYSTEM_CA_BUNDLE)) return `needs a CA bundle at ${SYSTEM_CA_BUNDLE}`;
  try {
    await promisify(execFile)('unshare', ['-m', '-n', 'true']);
  } catch (err) {
    return `\`unshare -m -n\` is not permitted here (${(err as Error).message.split('\n')[0]}); it needs root or CAP_SYS_ADMIN`;
  }
  return undefined;
}

const BOOTSTRAP = `set -e
ip link set lo up
ip addr add ${CONTAINER_CREDENTIALS_HOST}/32 dev lo
mount --bind "$1" /etc/hosts
mount --bind "$2" ${SYSTEM_CA_BUNDLE}
shift 2
exec "$@"`;

export async function startEmulatorNamespace(options: {
  readonly dir: string;
  readonly python: string;
  readonly launcher: string;
  readonly hostNames: readonly string[];
}): Promise<EmulatorNamespace> {
  const { dir } = options;
  const certificates = await makeTestCertificates(dir, options.hostNames);
  const hosts = join(dir, 'hosts');
  await writeFile(hosts, `127.0.0.1 localhost\n127.0.0.1 ${options.hostNames.join(' ')}\n`);
  const bundle = join(dir, 'ca-certificates.crt');
  await writeFile(
    bundle,
    `${await readFile(SYSTEM_CA_BUNDLE, 'utf8')}\n${await readFile(certificates.caFile, 'utf8')}`,
  );
  const emulator = spawn(
    'unshare',
    [
      '-m',
      '-n',
      '--',
      'bash',
      '-c',
      BOOTSTRAP,
      'bootstrap',
      hosts,
      bundle,
      options.python,
      options.launcher,
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GATEWAY_PORT: '4566',
        AUTH: 'true',
        USE_SSL: '1',
        MINISTACK_SSL_CERT: certificates.certFile,
        MINISTACK_SSL_KEY: certificates.keyFile,
        // INFO: the readiness line below is logged at INFO.
        LOG_LEVEL: 'INFO',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-8000);
      // ministack listens on GATEWAY_PORT, then on 443 with USE_SSL: 443 is the last.
      if (/Running on https:\/\/0\.0\.0\.0:443/.test(log)) ready();
    };
    emulator.stdout.on('data', onData);
    emulator.stderr.on('data', onData);
    emulator.once('error', fail);
    emulator.once('exit', (code) =>
      fail(
        new Error(
          `test: the S3 Tables emulator exited with ${code} before it was ready:\n${log.slice(-3000)}`,
        ),
      ),
    );
  });
  const pid = emulator.pid!;
  const nsenter = (command: string, args: readonly string[]) => [
    '-t',
    String(pid),
    '-n',
    '-m',
    `--wd=${process.cwd()}`,
    '--',
    command,
    ...args,
  ];
  const insideEnv = (env: NodeJS.ProcessEnv = {}) => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_EXTRA_CA_CERTS: certificates.caFile,
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  });
  return {
    dir,
    certificates,
    async run(command, args, env, timeoutMs = 120_000) {
      try {
        const { stdout, stderr } = await promisify(execFile)('nsenter', nsenter(command, args), {
          env: insideEnv(env),
          timeout: timeoutMs,
          maxBuffer: 32 * 1024 * 1024,
        });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const failed = err as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    },
    spawn(command, args, env) {
      return spawn('nsenter', nsenter(command, args), {
        env: insideEnv(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    async stop() {
      if (emulator.exitCode !== null) return;
      const exited = new Promise((done) => emulator.once('exit', done));
      emulator.kill('SIGTERM');
      await exited;
    },
  };
}
