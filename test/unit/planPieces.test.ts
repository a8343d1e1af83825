import { describe, expect, it } from 'vitest';
import { monthsOf, planPieces } from '../../job/planPieces.ts';

describe('planPieces', () => {
  it('cuts the window at month ends and each month into slices of stations within the bound', () => {
    const pieces = [...planPieces({ from: '2024-01-30', to: '2024-03-02' }, [5, 1, 3, 2, 4], 62)];
    expect(pieces).toEqual([
      // January: 2 days, so 31 stations fit; all 5 in one piece.
      { from: '2024-01-30', to: '2024-01-31', stations: [1, 2, 3, 4, 5] },
      // February 2024: 29 days, 2 stations per piece.
      { from: '2024-02-01', to: '2024-02-29', stations: [1, 2] },
      { from: '2024-02-01', to: '2024-02-29', stations: [3, 4] },
      { from: '2024-02-01', to: '2024-02-29', stations: [5] },
      { from: '2024-03-01', to: '2024-03-02', stations: [1, 2, 3, 4, 5] },
    ]);
    for (const piece of pieces) {
      const days = (Date.parse(piece.to) - Date.parse(piece.from)) / 86_400_000 + 1;
      expect(days * piece.stations.length).toBeLessThanOrEqual(62);
    }
  });

  it('puts consecutive months of few stations into one piece while they fit', () => {
    expect([...planPieces({ from: '2024-01-01', to: '2024-04-30' }, [7, 8], 124)]).toEqual([
      { from: '2024-01-01', to: '2024-02-29', stations: [7, 8] }, // 2 × 60 days
      { from: '2024-03-01', to: '2024-04-30', stations: [7, 8] }, // 2 × 61 days
    ]);
    const year = [...planPieces({ from: '2024-01-01', to: '2024-12-31' }, [1], 50_000)];
    expect(year).toEqual([{ from: '2024-01-01', to: '2024-12-31', stations: [1] }]);
  });

  it('is lazy: a window of ten years and 50,000 stations is not materialised', () => {
    const stations = Array.from({ length: 50_000 }, (_, i) => i + 1);
    const pieces = planPieces({ from: '2016-01-01', to: '2025-12-31' }, stations, 50_000);
    const first = pieces.next();
    if (first.done) throw new Error('expected a piece');
    expect(first.value.stations).toHaveLength(1612); // 50,000 / 31 days
    expect(first.value.from).toBe('2016-01-01');
  });

  it('refuses a bound below one station-month', () => {
    expect(() => [...planPieces({ from: '2024-01-01', to: '2024-01-31' }, [1], 30)]).toThrow(
      'plan: Expected `maxStationDays` to be an integer >= 31',
    );
  });

  it('gives nothing for no stations, and months across a year end', () => {
    expect([...planPieces({ from: '2024-01-01', to: '2024-01-31' }, [], 100)]).toEqual([]);
    expect(monthsOf('2023-12-31', '2024-01-01')).toEqual([
      { from: '2023-12-31', to: '2023-12-31' },
      { from: '2024-01-01', to: '2024-01-01' },
    ]);
  });
});
