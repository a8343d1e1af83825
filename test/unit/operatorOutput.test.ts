import { describe, expect, it, vi } from 'vitest';
import { nightlyWindow } from '../../job/config.ts';
import { parseAsOf } from '../../job/lake/timeTravel.ts';
import { bar, sparkline } from '../../job/output/charts.ts';
import { formatCsv, formatJson, formatTextTable } from '../../job/output/formatRows.ts';
import { metricsRecord } from '../../job/output/metricsRecord.ts';
import { emptySummary } from '../../job/model/runSummary.ts';

describe('nightlyWindow', () => {
  it('is the last N archive days ending yesterday (UTC), across a month boundary', () => {
    expect(nightlyWindow(7, new Date('2026-03-03T01:30:00Z'))).toEqual({
      from: '2026-02-24',
      to: '2026-03-02',
    });
    expect(nightlyWindow(1, new Date('2026-01-01T23:59:59Z'))).toEqual({
      from: '2025-12-31',
      to: '2025-12-31',
    });
  });

  it('rejects a look-back of zero days', () => {
    expect(() => nightlyWindow(0, new Date())).toThrow(
      'config: Expected `--lookback-days` to be an integer from 1 to 3660, got `0`',
    );
  });
});

describe('parseAsOf', () => {
  it('reads a snapshot id or an ISO time, and names the flag otherwise', () => {
    expect(parseAsOf('6948356534615951673')).toEqual({
      kind: 'snapshot',
      id: 6948356534615951673n,
    });
    expect(parseAsOf('2026-11-20T08:00:00+01:00')).toEqual({
      kind: 'time',
      iso: '2026-11-20T07:00:00.000Z',
    });
    expect(() => parseAsOf('yesterday')).toThrow('config: Expected `--as-of` to be a snapshot id');
  });

  it('reads a time without an offset as UTC, whatever the host time zone', () => {
    vi.stubEnv('TZ', 'America/Denver');
    try {
      expect(parseAsOf('2026-11-20T08:00:00')).toEqual({
        kind: 'time',
        iso: '2026-11-20T08:00:00.000Z',
      });
      expect(parseAsOf('2026-11-20T08:00')).toEqual({
        kind: 'time',
        iso: '2026-11-20T08:00:00.000Z',
      });
      expect(parseAsOf('2026-11-20')).toEqual({ kind: 'time', iso: '2026-11-20T00:00:00.000Z' });
    } finally {
      vi.unstubAllEnvs();
    }
    expect(() => parseAsOf('2026-11-20 and more')).toThrow('(UTC unless it carries an offset)');
  });
});

describe('metricsRecord (CloudWatch Embedded Metric Format)', () => {
  it('declares every metric it sets, under one namespace and the Command dimension', () => {
    const summary = {
      ...emptySummary('run-1', { from: '2026-11-01', to: '2026-11-07' }, 'x', false),
      filesFetched: 10,
      filesRejected: 2,
      rowsCommitted: 500,
    };
    const record = metricsRecord(summary, 'nightly', 1_700_000_000_000) as {
      _aws: {
        Timestamp: number;
        CloudWatchMetrics: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string }[];
        }[];
      };
    } & Record<string, unknown>;
    const directive = record._aws.CloudWatchMetrics[0]!;
    expect(record._aws.Timestamp).toBe(1_700_000_000_000);
    expect(directive.Namespace).toBe('OpenAQLakehouse');
    expect(directive.Dimensions).toEqual([['Command']]);
    expect(record.Command).toBe('nightly');
    for (const { Name } of directive.Metrics) expect(typeof record[Name], Name).toBe('number');
    expect(record).toMatchObject({ FilesLoaded: 8, FilesRejected: 2, RowsCommitted: 500 });
  });
});

describe('terminal output', () => {
  it('draws bars and sparklines to scale', () => {
    expect(bar(5, 10, 10)).toBe('█████░░░░░');
    expect(bar(0, 0, 4)).toBe('░░░░');
    expect(sparkline([0, 50, 100])).toBe('▁▄█');
  });

  it('quotes CSV fields that need it and aligns text tables', () => {
    const rows = {
      columns: ['id', 'name'],
      rows: [
        [1, 'Chandni Chowk, Delhi'],
        [22, 'say "hi"'],
      ],
    };
    expect(formatCsv(rows)).toBe('id,name\r\n1,"Chandni Chowk, Delhi"\r\n22,"say ""hi"""');
    expect(formatTextTable(rows).split('\n')).toEqual([
      'id  name',
      '--  --------------------',
      ' 1  Chandni Chowk, Delhi',
      '22  say "hi"',
    ]);
  });

  it('keeps each row of a text table on one line, escaping line breaks; CSV and JSON stay exact', () => {
    const raw = '2178,3919,"Del\r\nNorte",\t\u001b[31m';
    const rows = {
      columns: ['line', 'raw_text'],
      rows: [
        [2, raw],
        [3, 'x'.repeat(500)],
      ],
    };
    const table = formatTextTable(rows).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toBe('   2  2178,3919,"Del\\r\\nNorte",\\t\\u001b[31m');
    expect(table[3]).toBe(`   3  ${'x'.repeat(119)}…`);
    expect(formatCsv(rows)).toContain(`2,"${raw.replaceAll('"', '""')}"`);
    expect(JSON.parse(formatJson(rows))).toEqual([
      { line: 2, raw_text: raw },
      { line: 3, raw_text: 'x'.repeat(500) },
    ]);
  });
});
