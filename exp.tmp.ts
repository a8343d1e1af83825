import { withLake } from './job/lake/lakeSession.ts';
await withLake({ extensionDirectory: '/work/main/.lakehouse/duckdb-extensions', memoryLimit: '2GB', tempDirectory: '/tmp/duck-tmp', threads: 2 },
  { kind: 'rest', endpoint: 'http://127.0.0.1:8181', warehouse: '', storage: { endpoint: '127.0.0.1:9000', useSsl: false, urlStyle: 'path', region: 'us-east-1', accessKeyId: 'admin', secretAccessKey: 'password' } },
  async ({ connection: c }) => {
    const q = async (sql: string) => { try { const r = await c.runAndReadAll(sql); console.log('OK', sql.slice(0, 100), JSON.stringify(r.getRowObjectsJson()).slice(0, 600)); } catch (e) { console.log('ERR', sql.slice(0, 100), String(e).slice(0, 600)); } };
    await q(`CREATE TABLE stage AS SELECT 10 AS id, TIMESTAMPTZ '2024-01-06 10:00:00+00' AS ts, 3.5 AS v, 'zz' AS s, NULL::VARCHAR AS extra`);
    await q(`SELECT count(*) FROM lake.exp.m2`);
    await q(`BEGIN`);
    await q(`SELECT count(*) FROM lake.exp.m2`);
    await q(`INSERT INTO lake.exp.m2 SELECT * FROM stage`);
    await q(`SELECT count(*) FROM lake.exp.m2`);
    await q(`DELETE FROM lake.exp.m2 WHERE id = 10`);
    await q(`SELECT count(*) FROM lake.exp.m2`);
    await q(`INSERT INTO lake.exp.m2 SELECT * FROM stage`);
    await q(`COMMIT`);
    await q(`SELECT count(*), max(id) FROM lake.exp.m2`);
    await q(`SELECT * FROM iceberg_snapshots(lake.exp.m2)`);
    await q(`SELECT count(*) FROM lake.exp.m2 AT (VERSION => 3889634100720258413)`);
    await q(`DELETE FROM lake.exp.m2 WHERE id = 12345`);
    await q(`SELECT count(*) FROM iceberg_snapshots(lake.exp.m2)`);
  });
