import { createServer, type Server } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../job/lake/ensureTables.ts';
import { withLake } from '../../job/lake/lakeSession.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { LakehouseError, classify } from '../../job/lakehouseError.ts';
import { MEASUREMENTS, TABLES } from '../../job/tables.ts';
import {
  dropNamespace,
  duckdbSettings,
  localTarget,
  uniqueNamespace,
  withLocalLake,
} from '../helpers/localLake.ts';

const namespace = uniqueNamespace('it_setup');

async function listenOnFreePort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

describe('bad set-up gives a clear error, fast', () => {
  afterAll(async () => {
    await dropNamespace(namespace);
  });

  it('names a catalog that is down and how to start it', async () => {
    const { server, port } = await listenOnFreePort();
    await new Promise((closed) => server.close(closed)); // now nothing listens there
    const started = Date.now();
    const error = await withLake(
      duckdbSettings,
      { ...localTarget(), endpoint: `http://127.0.0.1:${port}` },
      () => Promise.resolve('attached'),
    ).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LakehouseError);
    expect((error as LakehouseError).kind).toBe('unreachable');
    expect((error as Error).message).toContain(`http://127.0.0.1:${port}`);
    expect((error as Error).message).toContain('npm run lakehouse -- up');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('names refused storage credentials and where to set them', async () => {
    await withLocalLake((session) => ensureTables(session, namespace, TABLES));
    const table = qualifiedName('lake', namespace, MEASUREMENTS.name);
    const error = await withLake(
      duckdbSettings,
      localTarget({ secretAccessKey: 'not-the-password' }),
      async ({ connection }) => {
        try {
          await connection.run(
            `INSERT INTO ${table} (location_id, datetime, parameter, source_key, source_etag, source_line, run_id, ingested_at)
           VALUES (1, now(), 'pm25', 'k', 'e', 2, 'r', now())`,
          );
        } catch (err) {
          throw classify(err, `write to ${table}`);
        }
      },
    ).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LakehouseError);
    expect((error as LakehouseError).kind).toBe('credentials');
    expect((error as Error).message).toMatch(/SignatureDoesNotMatch|InvalidAccessKeyId/);
    expect((error as Error).message).toContain('OPENAQ_LAKEHOUSE_SECRET_KEY');
  });

  it('names a missing DuckDB extension and the command that installs it', async () => {
    const emptyDir = await mkdtemp(join(tmpdir(), 'no-extensions-'));
    const error = await withLake(
      { ...duckdbSettings, extensionDirectory: emptyDir },
      localTarget(),
      () => Promise.resolve('attached'),
    ).catch((err: unknown) => err);
    expect((error as Error).message).toMatch(
      /^duckdb: extensions httpfs, avro, aws, iceberg for DuckDB v1\.5\.5 not found in /,
    );
    expect((error as Error).message).toContain(emptyDir);
    expect((error as Error).message).toContain('npm run lakehouse -- install');
  });
});
