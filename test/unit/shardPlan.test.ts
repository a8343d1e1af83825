import { describe, expect, it } from 'vitest';
import { resolveBackfillConfig } from '../../job/config.ts';
import { manifestText, parseManifest } from '../../job/shards/manifestText.ts';
import { planShards } from '../../job/shards/planShards.ts';
import type { ArchiveDay } from '../../job/model/archiveDay.ts';
import { addDays } from '../../job/model/archiveDay.ts';
import { formatArchiveKey } from '../../job/source/archiveKey.ts';
import { countWindowFiles, type WindowFileCounts } from '../../job/source/countWindowFiles.ts';
import { resolveStations } from '../../job/source/listWindow.ts';
import { parseStationSelection } from '../../job/model/stationSelection.ts';
import { CountingStore } from '../helpers/countingStore.ts';
import { MemoryArchiveStore } from '../helpers/memoryArchiveStore.ts';

const day = (s: string): ArchiveDay => s as ArchiveDay;

/** One file a day for each station over [from, to]; `sparse` stations only on the 1st. */
function archive(stations: number[], from: string, to: string, sparse: number[] = []) {
  const objects: [string, string][] = [];
  for (const id of [...stations, ...sparse]) {
    for (let d = day(from); d <= day(to); d = addDays(d, 1)) {
      if (sparse.includes(id) && !d.endsWith('-01')) continue;
      objects.push([formatArchiveKey(id, d), `${id} ${d}`]);
    }
  }
  return new CountingStore(new MemoryArchiveStore(objects));
}

describe('--stations', () => {
  it('takes ids, id ranges and a mix, and refuses anything else naming the flag and the part', () => {
    expect(parseStationSelection('all')).toBe('all');
    expect(parseStationSelection('8118,2178,2178')).toEqual([2178, 8118]);
    expect(parseStationSelection('1000-2437')).toEqual({ ranges: [[1000, 2437]] });
    expect(parseStationSelection('5,1000-2437,2438-2500,7')).toEqual({
      ranges: [
        [5, 5],
        [7, 7],
        [1000, 2500],
      ],
    });
    const resolve = (stations: string) =>
      resolveBackfillConfig({ from: '2024-01-01', to: '2024-01-02', stations }, {}, '/tmp');
    expect(() => resolve('2437-1000')).toThrow(
      /config: Expected `--stations`.*bad part `2437-1000`/,
    );
    expect(() => resolve('0-5')).toThrow(/bad part `0-5`/);
    expect(() => resolve('12,abc')).toThrow(/bad part `abc`/);
  });

  it('a range selects the archive stations that fall in it, not every id of it', async () => {
    const store = archive([3, 10, 11, 250], '2024-01-01', '2024-01-01');
    const resolved = await resolveStations(store, { stations: { ranges: [[4, 249]] } });
    expect(resolved.stations).toEqual([10, 11]);
  });
});

describe('countWindowFiles', () => {
  it('counts files per station and month with one listing per station and year', async () => {
    const store = archive([1, 2], '2023-12-20', '2024-02-10');
    const counts = await countWindowFiles(store, {
      stations: 'all',
      from: day('2023-12-25'),
      to: day('2024-02-05'),
      concurrency: 3,
    });
    expect(counts.stations).toEqual([1, 2]);
    expect(counts.months).toBe(3);
    expect([...counts.perMonth[0]!]).toEqual([7, 31, 5]);
    expect(counts.files).toBe(2 * 43);
    // Two stations × two years, plus the listing of the station prefixes.
    expect(store.counts.listObjects).toBe(4);
    expect(counts.listRequests).toBe(5);
  });
});

/** Counts of `stations` over `months` months, each station-month holding `perStationMonth(id)`. */
function counts(
  stations: number[],
  months: number,
  perStationMonth: (id: number, month: number) => number,
): WindowFileCounts {
  const perMonth = stations.map((id) =>
    Uint32Array.from({ length: months }, (_, m) => perStationMonth(id, m)),
  );
  const files = perMonth.reduce((sum, a) => sum + a.reduce((x, y) => x + y, 0), 0);
  return { stations, perMonth, months, files, listRequests: 0, unmatchedKeys: 0 };
}

describe('planShards', () => {
  const year = { from: day('2024-01-01'), to: day('2024-12-31') };

  it('packs consecutive station ranges over the whole window, balanced by files, each within the bound', () => {
    // 10 stations; station 5 has 10× the files of the others.
    const c = counts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 12, (id) => (id === 5 ? 300 : 30));
    const shards = planShards(year, c, 4000);
    // The heavy station is a shard of its own; the light ones share.
    expect(shards.map((s) => s.stations)).toEqual(['1-4', '5', '6-10']);
    expect(shards.map((s) => s.files)).toEqual([4 * 360, 3600, 5 * 360]);
    expect(shards.every((s) => s.from === '2024-01-01' && s.to === '2024-12-31')).toBe(true);
    expect(shards.reduce((sum, s) => sum + s.files, 0)).toBe(c.files);
    expect(shards[0]!.command).toEqual([
      'backfill',
      '--from',
      '2024-01-01',
      '--to',
      '2024-12-31',
      '--stations',
      '1-4',
    ]);
  });

  it('balances shards rather than filling each to the bound', () => {
    const c = counts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 12, () => 30); // 360 a station
    const shards = planShards(year, c, 2600); // 3,600 files: two shards of 1,800, not 2,520 + 1,080
    expect(shards.map((s) => s.files)).toEqual([1800, 1800]);
    expect(shards.map((s) => s.stations)).toEqual(['1-5', '6-10']);
  });

  it('cuts the window in time when one station alone exceeds the bound, and skips empty stations', () => {
    const c = counts([7, 8, 9], 12, (id) => (id === 8 ? 0 : 31));
    const shards = planShards(year, c, 200); // 372 files a station-year: periods of 6 months
    expect(shards.map((s) => [s.from, s.to, s.stations, s.files])).toEqual([
      ['2024-01-01', '2024-06-30', '7', 186],
      ['2024-01-01', '2024-06-30', '9', 186],
      ['2024-07-01', '2024-12-31', '7', 186],
      ['2024-07-01', '2024-12-31', '9', 186],
    ]);
    expect(new Set(shards.map((s) => s.shard)).size).toBe(4);
  });

  it('refuses a bound below a station-month', () => {
    expect(() =>
      planShards(
        year,
        counts([1], 12, () => 1),
        30,
      ),
    ).toThrow(/plan: Expected `--max-files-per-shard` to be an integer >= 31/);
  });
});

describe('the manifest', () => {
  it('round-trips as JSON lines, and a line whose command is not its own backfill is refused with its number', () => {
    const shards = planShards(
      { from: day('2024-01-01'), to: day('2024-01-31') },
      counts([1, 2, 3], 1, () => 31),
      62,
    );
    const text = manifestText(shards);
    expect(text.trim().split('\n')).toHaveLength(shards.length);
    expect(parseManifest(text, 'm.jsonl')).toEqual(shards);
    const tampered = text.replace('"--stations","1-2"', '"--stations","1-9"');
    expect(() => parseManifest(tampered, 'm.jsonl')).toThrow(
      /manifest: line 1 of m.jsonl has a `command` other than/,
    );
    expect(() => parseManifest('{"shard":"a"}\n', 'm.jsonl')).toThrow(/line 1 .* `from`\/`to`/);
  });
});
