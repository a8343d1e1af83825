import { parse } from 'csv-parse/sync';
import { gunzipSync } from 'node:zlib';
import { generateStations, generateArchiveFile } from '/work/main/scripts/mirror/generateArchive.ts';
const stations = generateStations({ count: 200, seed: 42 });
let file;
for (const st of stations) { const f = generateArchiveFile({ ...st, coverage: 1 }, '2023-06-01', { seed: 42, style: 'quoted-crlf' }); if (f && f.rows.length >= 280 && f.rows.length <= 320) { file = f; break; } }
const buf = gunzipSync(file!.body); const text = buf.toString();
const bench = (name: string, fn: () => unknown) => { for (let i = 0; i < 300; i++) fn(); const N = 2000; const t = performance.now(); for (let i = 0; i < N; i++) fn(); console.log(name, ((performance.now() - t) / N / 288 * 1000).toFixed(2), 'us/row'); };
const o = { relax_column_count: true, record_delimiter: ['\r\n', '\n'] };
bench('string+info', () => parse(text, { ...o, info: true }));
bench('buffer+info', () => parse(buf, { ...o, info: true }));
bench('string', () => parse(text, o));
bench('buffer', () => parse(buf, o));
bench('string onrecord', () => parse(text, { ...o, on_record: (r, c) => ({ r, l: c.lines }) }));
bench('string auto delim', () => parse(text, { relax_column_count: true, info: true }));
