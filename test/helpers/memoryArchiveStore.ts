import { createHash } from 'node:crypto';
import { LakehouseError } from '../../job/lakehouseError.ts';
import type { ArchiveObject, ArchiveStore, GetResult } from '../../job/source/archiveStore.ts';

/**
 * A failure to inject for one key (get) or one prefix (listObjects/listPrefixes):
 * - `missing`: get answers `missing` although the key is listed (deleted between list and get);
 * - `access-denied`: throws a LakehouseError of that kind, like the S3 store on a 403;
 * - `{ transient: n }`: the first n calls throw a transient LakehouseError, then it works.
 */
export type InjectedFailure = 'missing' | 'access-denied' | { readonly transient: number };

export interface MemoryArchiveStoreOptions {
  /** Awaited at the start of each call, e.g. a short delay so that calls overlap. */
  readonly latency?: () => Promise<void>;
}

/** An in-memory ArchiveStore for unit tests. ETags are the md5 hex of the bytes, like S3's. */
export class MemoryArchiveStore implements ArchiveStore {
  readonly #objects = new Map<string, Uint8Array>();
  readonly #failures = new Map<string, { failure: InjectedFailure; calls: number }>();
  readonly #latency: () => Promise<void>;
  closed = false;

  constructor(
    objects: Iterable<readonly [string, Uint8Array | string]> = [],
    options: MemoryArchiveStoreOptions = {},
  ) {
    this.#latency = options.latency ?? (() => Promise.resolve());
    for (const [key, body] of objects) this.put(key, body);
  }

  put(key: string, body: Uint8Array | string): void {
    this.#objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
  }

  delete(key: string): void {
    this.#objects.delete(key);
  }

  /** Makes calls on `keyOrPrefix` fail; see InjectedFailure. */
  fail(keyOrPrefix: string, failure: InjectedFailure): void {
    this.#failures.set(keyOrPrefix, { failure, calls: 0 });
  }

  async *listObjects(prefix: string): AsyncIterable<ArchiveObject> {
    await this.#enter(prefix);
    for (const key of this.#keysUnder(prefix)) {
      const body = this.#objects.get(key);
      if (body !== undefined) yield { key, etag: md5Hex(body), size: body.byteLength };
    }
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    await this.#enter(prefix);
    const prefixes = new Set<string>();
    for (const key of this.#keysUnder(prefix)) {
      const slash = key.indexOf('/', prefix.length);
      if (slash >= 0) prefixes.add(key.slice(0, slash + 1));
    }
    yield* [...prefixes].sort();
  }

  async get(key: string): Promise<GetResult> {
    if ((await this.#enter(key)) === 'missing') return { kind: 'missing' };
    const body = this.#objects.get(key);
    if (body === undefined) return { kind: 'missing' };
    return { kind: 'found', body: body.slice(), etag: md5Hex(body), verified: true };
  }

  close(): void {
    this.closed = true;
  }

  #keysUnder(prefix: string): string[] {
    return [...this.#objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  /** Waits the latency, then throws or reports the failure injected for `name`, if any. */
  async #enter(name: string): Promise<'missing' | undefined> {
    await this.#latency();
    const entry = this.#failures.get(name);
    if (entry === undefined) return undefined;
    entry.calls++;
    const { failure } = entry;
    if (failure === 'missing') return 'missing';
    if (failure === 'access-denied') {
      throw new LakehouseError('access-denied', `source: access denied reading memory://${name}`);
    }
    if (entry.calls <= failure.transient) {
      throw new LakehouseError(
        'transient',
        `source: temporary failure ${entry.calls} of ${failure.transient} on memory://${name}`,
      );
    }
    return undefined;
  }
}

export const md5Hex = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
