import { parseArchiveDay } from '../model/archiveDay.ts';
import { parseStationSelection } from '../model/stationSelection.ts';
import { shardCommand, type Shard } from './shard.ts';

/** The manifest as JSON lines, one shard a line (what a Distributed Map's JSONL reader takes). */
export const manifestText = (shards: readonly Shard[]): string =>
  shards.map((shard) => `${JSON.stringify(shard)}\n`).join('');

/**
 * Parses a manifest: JSON lines of shards, blank lines ignored. Every line is checked (days,
 * stations, files, and that its command is the plain backfill of its fields); the first bad line
 * is named with its number.
 */
export function parseManifest(text: string, source: string): Shard[] {
  const shards: Shard[] = [];
  const seen = new Set<string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const bad = (why: string): Error =>
      new Error(`manifest: line ${index + 1} of ${source} ${why}: ${line.slice(0, 200)}`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw bad('is not JSON');
    }
    const v = value as Partial<Record<keyof Shard, unknown>>;
    if (typeof v.shard !== 'string' || v.shard === '' || seen.has(v.shard))
      throw bad('has no unique `shard` id');
    seen.add(v.shard);
    let from, to;
    try {
      from = parseArchiveDay(String(v.from));
      to = parseArchiveDay(String(v.to));
    } catch {
      throw bad('has no valid `from`/`to` days (YYYY-MM-DD)');
    }
    if (from > to) throw bad('has `from` after `to`');
    const stations = typeof v.stations === 'string' ? v.stations : '';
    const selection = parseStationSelection(stations);
    if (selection === 'all' || (typeof selection === 'object' && 'error' in selection))
      throw bad('has no `stations` ids or id ranges');
    if (!Number.isSafeInteger(v.files) || (v.files as number) < 0)
      throw bad('has no `files` count');
    const command = shardCommand(from, to, stations);
    if (JSON.stringify(v.command) !== JSON.stringify(command))
      throw bad(`has a \`command\` other than ${JSON.stringify(command)}`);
    shards.push({
      shard: v.shard,
      from,
      to,
      stations,
      stationCount: Number.isSafeInteger(v.stationCount) ? (v.stationCount as number) : 0,
      files: v.files as number,
      command,
    });
  }
  return shards;
}
