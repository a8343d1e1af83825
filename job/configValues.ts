import { parseArchiveDay, type ArchiveDay } from './model/archiveDay.ts';
import { parseStationSelection, type StationSelection } from './model/stationSelection.ts';

/** A bad option: the CLI exits 2 with this message, naming the flag and the value. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(`config: ${message}`);
    this.name = 'ConfigError';
  }
}

export function day(flag: string, value: string): ArchiveDay {
  try {
    return parseArchiveDay(value);
  } catch {
    throw new ConfigError(`Expected \`${flag}\` to be a date YYYY-MM-DD, got \`${value}\``);
  }
}

export function stationSelection(value: string | undefined): StationSelection {
  if (value === undefined) return 'all';
  const parsed = parseStationSelection(value);
  if (typeof parsed === 'object' && 'error' in parsed) throw new ConfigError(parsed.error);
  return parsed;
}

export function integer(
  flag: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `Expected \`${flag}\` to be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got \`${value}\``,
    );
  }
  return value;
}

export function fraction(flag: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new ConfigError(`Expected \`${flag}\` to be a number from 0 to 1, got \`${value}\``);
  return value;
}

export function memory(flag: string, value: string): string {
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value)) {
    throw new ConfigError(`Expected \`${flag}\` to be a size like 2GB or 512MiB, got \`${value}\``);
  }
  return value;
}

export function identifier(flag: string, value: string): string {
  if (!/^[a-z_][a-z0-9_]{0,254}$/.test(value)) {
    throw new ConfigError(
      `Expected \`${flag}\` to be a lower-case name of letters, digits and _, got \`${value}\``,
    );
  }
  return value;
}

export function url(flag: string, value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:')
      return value.replace(/\/$/, '');
  } catch {
    // fall through
  }
  throw new ConfigError(`Expected \`${flag}\` to be an http(s) URL, got \`${value}\``);
}
