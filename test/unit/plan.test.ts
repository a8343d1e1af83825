import { describe, expect, it } from 'vitest';
import { chunkFiles, planLoad } from '../../job/plan.ts';
import type { ListedFile } from '../../job/source/listWindow.ts';
import { formatArchiveKey } from '../../job/source/archiveKey.ts';
import type { ArchiveDay } from '../../job/model/archiveDay.ts';

const file = (locationId: number, day: ArchiveDay, etag = 'e1'): ListedFile => ({
  key: formatArchiveKey(locationId, day),
  etag,
  size: 1000,
  locationId,
  day,
});

describe('planLoad', () => {
  it('skips files loaded with the same ETag, replaces changed ones, loads new ones', () => {
    const listed = [
      file(1, '2024-03-01'),
      file(2, '2024-03-01', 'new-etag'),
      file(3, '2024-03-01'),
    ];
    const loaded = new Map([
      [formatArchiveKey(1, '2024-03-01'), 'e1'],
      [formatArchiveKey(2, '2024-03-01'), 'old-etag'],
    ]);
    const plan = planLoad(listed, loaded);
    expect(plan.unchangedFiles.map((f) => f.locationId)).toEqual([1]);
    expect(plan.changedFiles.map((f) => f.locationId)).toEqual([2]);
    expect(plan.newFiles.map((f) => f.locationId)).toEqual([3]);
  });

  it('ignores lake files that are no longer listed (it never deletes what OpenAQ removed)', () => {
    const plan = planLoad([], new Map([[formatArchiveKey(9, '2024-03-01'), 'e1']]));
    expect(plan).toEqual({ newFiles: [], changedFiles: [], unchangedFiles: [] });
  });
});

describe('chunkFiles', () => {
  const window = ['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04', '2024-03-05'] as const;
  const files = window.flatMap((day) => [file(20, day), file(10, day)]);

  it('cuts commits at the day limit, in day order, never splitting a day', () => {
    const chunks = chunkFiles(files, { days: 2, files: 1000 });
    expect(chunks.map((chunk) => [...new Set(chunk.map((f) => f.day))].sort())).toEqual([
      ['2024-03-01', '2024-03-02'],
      ['2024-03-03', '2024-03-04'],
      ['2024-03-05'],
    ]);
  });

  it('orders a chunk station by station, then by day: the order its rows are written in', () => {
    const [first] = chunkFiles(files, { days: 2, files: 1000 });
    expect(first!.map((f) => `${f.locationId} ${f.day}`)).toEqual([
      '10 2024-03-01',
      '10 2024-03-02',
      '20 2024-03-01',
      '20 2024-03-02',
    ]);
  });

  it('cuts commits at the file limit too, keeping every file whole', () => {
    const chunks = chunkFiles(files, { days: 31, files: 3 });
    expect(chunks.map((chunk) => chunk.length)).toEqual([3, 3, 3, 1]);
    expect(chunks.flat()).toHaveLength(files.length);
  });

  it('gives one commit for a whole window within both limits, none for no work', () => {
    expect(chunkFiles(files, { days: 31, files: 50_000 })).toHaveLength(1);
    expect(chunkFiles([], { days: 31, files: 50_000 })).toEqual([]);
  });
});
