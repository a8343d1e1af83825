import type { BackfillConfig } from './config.ts';
import { planPieces, type Piece } from './planPieces.ts';
import type { ArchiveStore } from './source/archiveStore.ts';
import { listWindow, resolveStations, type WindowListing } from './source/listWindow.ts';
import { stationCacheOption } from './source/stationCache.ts';
import { secondsSince } from './secondsSince.ts';

/** A piece of the window with its listing. */
export interface ListedPiece {
  readonly piece: Piece;
  readonly listing: WindowListing;
  /** Wall-clock seconds its listing took (it overlaps the loading of the piece before). */
  readonly seconds: number;
  /**
   * Called once every file of the piece has its ledger row (loaded, rejected or found unchanged),
   * with how many files the piece loaded (new or changed); never in a dry run. The feed deletes
   * the piece's notifications here.
   */
  readonly done?: (loaded: number) => Promise<void>;
  /**
   * Set when the piece may hold keys of the pieces before it (the feed's batches, and the
   * reconciliation listing after them): it is planned against the ledger only once their commits
   * have landed, so no key is planned twice. The window's own pieces never overlap.
   */
  readonly overlapsEarlierPieces?: boolean;
}

/** Listed files held in memory right now, and the most held at once over the run. */
export class HeldFiles {
  #held = 0;
  #max = 0;
  #pieces = 0;
  #waiting: (() => void)[] = [];

  get max(): number {
    return this.#max;
  }

  /**
   * Waits until fewer than `pieces` pieces are held, then counts one more: a listing starts only
   * when the piece it replaces is done (committed), so listings never pile up behind commits.
   */
  async reservePiece(pieces = 2): Promise<void> {
    while (this.#pieces >= pieces) await new Promise<void>((wake) => this.#waiting.push(wake));
    this.#pieces += 1;
  }

  add(files: number): void {
    this.#held += files;
    this.#max = Math.max(this.#max, this.#held);
  }

  /** A piece's files let go (and its reservation, if it made one). */
  release(files: number): void {
    this.#held -= files;
    if (this.#pieces > 0) this.#pieces -= 1;
    for (const wake of this.#waiting.splice(0)) wake();
  }
}

/**
 * The window's pieces (see planPieces), each listed while the one before it loads: at most two
 * listings exist at once, each of at most half of `filesInMemory` files. The caller releases a
 * piece's files from `held` once it is done with them. Stations ('all') are resolved once, from
 * the station cache or one listing of the archive's prefixes.
 */
export async function* listPieces(
  store: ArchiveStore,
  config: BackfillConfig,
  held: HeldFiles,
): AsyncGenerator<ListedPiece> {
  const resolved = await resolveStations(store, {
    stations: config.stations,
    ...stationCacheOption(config.stationCachePath),
  });
  const pieces = planPieces(config.window, resolved.stations, Math.floor(config.filesInMemory / 2));
  const list = (piece: Piece): Promise<ListedPiece> => {
    const listed = held.reservePiece().then(async () => {
      const started = performance.now();
      const listing = await listWindow(store, {
        stations: piece.stations,
        from: piece.from,
        to: piece.to,
        concurrency: config.concurrency,
      });
      held.add(listing.files.length);
      return { piece, listing, seconds: secondsSince(started) };
    });
    listed.catch(() => undefined); // awaited below; never left unhandled if the run stops first
    return listed;
  };
  let first = true;
  let next = pieces.next();
  let pending = next.done ? undefined : list(next.value);
  while (pending !== undefined) {
    const current = await pending;
    next = pieces.next();
    pending = next.done ? undefined : list(next.value);
    if (first) {
      first = false;
      // The station prefixes, when listed, count as the first piece's listing.
      yield {
        ...current,
        listing: {
          ...current.listing,
          unmatchedKeys: [...resolved.unmatchedPrefixes, ...current.listing.unmatchedKeys],
          listRequests: current.listing.listRequests + resolved.listRequests,
        },
      };
    } else {
      yield current;
    }
  }
}
