import type { Logger } from 'pino';

/** Per-file warnings of one kind logged as they happen; the rest are only counted. */
export const WARNINGS_LOGGED_PER_KIND = 5;

interface Kind {
  count: number;
  /** The keys of the first WARNINGS_LOGGED_PER_KIND files. */
  readonly keys: string[];
}

/**
 * Aggregates per-file warnings so that a run over many files does not flood the log: a warning
 * that names a file (`logger.warn({ key, … }, message)`) is logged as usual for the first
 * WARNINGS_LOGGED_PER_KIND files of its message, then only counted, and `flush()` logs one line per
 * message with the count and the first keys. Other log calls pass through unchanged.
 */
export class WarningDigest {
  readonly #kinds = new Map<string, Kind>();
  readonly #logger: Logger;
  /** The logger to hand to the run: its per-file warnings go through this digest. */
  readonly logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
    const warn = (fields: unknown, message?: unknown, ...rest: unknown[]): void => {
      if (!this.#counted(fields, message)) {
        logger.warn(fields, message as string | undefined, ...rest);
      }
    };
    this.logger = new Proxy(logger, {
      get(target, property) {
        if (property === 'warn') return warn;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
  }

  /** Counts a per-file warning; true when it is not to be logged on its own. */
  #counted(fields: unknown, message: unknown): boolean {
    const key = (fields as { key?: unknown } | null)?.key;
    if (typeof key !== 'string' || typeof message !== 'string') return false;
    let kind = this.#kinds.get(message);
    if (kind === undefined) {
      kind = { count: 0, keys: [] };
      this.#kinds.set(message, kind);
    }
    kind.count += 1;
    if (kind.keys.length < WARNINGS_LOGGED_PER_KIND) kind.keys.push(key);
    return kind.count > WARNINGS_LOGGED_PER_KIND;
  }

  /** Counts per message so far: `{ 'file rejected': 1200, … }`. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#kinds].map(([message, kind]) => [message, kind.count]));
  }

  /** One line per message that had more files than were logged one by one; then starts afresh. */
  flush(): void {
    for (const [message, kind] of this.#kinds) {
      if (kind.count <= WARNINGS_LOGGED_PER_KIND) continue;
      this.#logger.warn(
        { files: kind.count, firstKeys: kind.keys },
        `${message}: ${kind.count} files in this run (the first ${kind.keys.length} logged one by one)`,
      );
    }
    this.#kinds.clear();
  }
}
