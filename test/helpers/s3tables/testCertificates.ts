import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TestCertificates {
  /** The throwaway CA's certificate (PEM), for NODE_EXTRA_CA_CERTS and the CA bundle. */
  readonly caFile: string;
  /** The server certificate (PEM) for every host name, signed by the CA, and its key. */
  readonly certFile: string;
  readonly keyFile: string;
}

/** A CA made now, for this test run only, and a server certificate for `hostNames` it signs. */
export async function makeTestCertificates(
  dir: string,
  hostNames: readonly string[],
): Promise<TestCertificates> {
  const openssl = (args: readonly string[]) =>
    promisify(execFile)('openssl', args, { cwd: dir }).catch((err: Error) => {
      throw new Error(`test: openssl ${args[0]} failed (is openssl installed?): ${err.message}`);
    });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1'].concat([
      '-subj',
      '/CN=openaq-lakehouse test CA',
    ]),
  );
  await writeFile(
    join(dir, 'server.ext'),
    `subjectAltName=${hostNames.map((name) => `DNS:${name}`).join(',')}\n` +
      'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  await openssl([
    'req',
    ...ec,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    `/CN=${hostNames[0]}`,
  ]);
  await openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key'].concat([
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '1',
      '-extfile',
      'server.ext',
    ]),
  );
  return {
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
  };
}
