import type { ArchiveObject, ArchiveStore, GetResult } from '../../job/source/archiveStore.ts';

/** What a CountingStore has seen so far. */
export interface StoreCounts {
  listObjects: number;
  listPrefixes: number;
  /** get calls, whatever their outcome. */
  get: number;
  /** gets that returned a body, and the bytes of those bodies. */
  found: number;
  bytes: number;
  /** The most listings (from call until the iteration ends) and gets running at once. */
  maxListsInFlight: number;
  maxGetsInFlight: number;
}

/**
 * Wraps an ArchiveStore and counts its I/O, so that a test can assert, for example, that a second
 * run fetched 0 files. `reset()` starts a new count.
 */
export class CountingStore implements ArchiveStore {
  readonly #inner: ArchiveStore;
  counts: StoreCounts = emptyCounts();
  #listsInFlight = 0;
  #getsInFlight = 0;

  constructor(inner: ArchiveStore) {
    this.#inner = inner;
  }

  reset(): void {
    this.counts = emptyCounts();
  }

  async *listObjects(prefix: string): AsyncIterable<ArchiveObject> {
    this.counts.listObjects++;
    yield* this.#listing(this.#inner.listObjects(prefix));
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    this.counts.listPrefixes++;
    yield* this.#listing(this.#inner.listPrefixes(prefix));
  }

  async get(key: string, expected?: { etag: string; size: number }): Promise<GetResult> {
    this.counts.get++;
    this.#getsInFlight++;
    this.counts.maxGetsInFlight = Math.max(this.counts.maxGetsInFlight, this.#getsInFlight);
    try {
      const result = await this.#inner.get(key, expected);
      if (result.kind === 'found') {
        this.counts.found++;
        this.counts.bytes += result.body.byteLength;
      }
      return result;
    } finally {
      this.#getsInFlight--;
    }
  }

  close(): void {
    this.#inner.close();
  }

  async *#listing<T>(items: AsyncIterable<T>): AsyncIterable<T> {
    this.#listsInFlight++;
    this.counts.maxListsInFlight = Math.max(this.counts.maxListsInFlight, this.#listsInFlight);
    try {
      yield* items;
    } finally {
      this.#listsInFlight--;
    }
  }
}

const emptyCounts = (): StoreCounts => ({
  listObjects: 0,
  listPrefixes: 0,
  get: 0,
  found: 0,
  bytes: 0,
  maxListsInFlight: 0,
  maxGetsInFlight: 0,
});
