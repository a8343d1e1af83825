import { Worker } from 'node:worker_threads';
import { MeasurementColumns } from '../model/measurementColumns.ts';
import { YOUNG_SEMI_SPACE_MIB } from '../model/nodeFlags.ts';
import type { ArchiveFile } from './parseArchiveFile.ts';
import {
  readPackedFile,
  type PackedFileVerdict,
  type ParseRequest,
  type ParseResponse,
} from './readPackedFile.ts';

/**
 * Decompresses, parses and validates archive files off the main thread, so that the thread
 * driving the GETs and the staging never waits on CSV: `threads` workers, each file to the one
 * with the fewest files pending. With 0 threads files are read on the calling thread (the same
 * code, no workers): for a machine with one core, and to compare.
 */
export class ParserPool {
  readonly #workers: ParserThread[];
  readonly #inline: MeasurementColumns | undefined;
  #inlineBusyMs = 0;

  private constructor(workers: ParserThread[]) {
    this.#workers = workers;
    this.#inline = workers.length === 0 ? new MeasurementColumns() : undefined;
  }

  static create(threads: number): ParserPool {
    if (!Number.isInteger(threads) || threads < 0) {
      throw new Error(`parser: Expected \`threads\` to be an integer >= 0, got \`${threads}\``);
    }
    return new ParserPool(Array.from({ length: threads }, () => new ParserThread()));
  }

  /** The file's verdict; rejects only if a parser thread failed (a bug, not bad input). */
  parse(file: ArchiveFile): Promise<PackedFileVerdict> {
    if (this.#inline !== undefined) {
      const started = performance.now();
      try {
        return Promise.resolve(readPackedFile(file, this.#inline));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      } finally {
        this.#inlineBusyMs += performance.now() - started;
      }
    }
    let least = this.#workers[0]!;
    for (const worker of this.#workers) if (worker.pending < least.pending) least = worker;
    return least.parse(file);
  }

  /** Milliseconds spent reading files, summed over the threads. */
  get busyMs(): number {
    return this.#workers.reduce((sum, worker) => sum + worker.busyMs, this.#inlineBusyMs);
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.close()));
  }
}

class ParserThread {
  // A worker's young generation is two semi-spaces and as much again for large new objects.
  readonly #worker = new Worker(new URL('./parseWorker.ts', import.meta.url), {
    resourceLimits: { maxYoungGenerationSizeMb: 3 * YOUNG_SEMI_SPACE_MIB },
  });
  readonly #waiting = new Map<
    number,
    { resolve: (verdict: PackedFileVerdict) => void; reject: (err: Error) => void }
  >();
  #nextId = 0;
  #failure: Error | undefined;
  busyMs = 0;

  constructor() {
    this.#worker.on('message', (response: ParseResponse) => {
      const waiting = this.#waiting.get(response.id);
      this.#waiting.delete(response.id);
      if (this.#waiting.size === 0) this.#worker.unref();
      if ('verdict' in response) {
        this.busyMs += response.busyMs;
        waiting?.resolve(response.verdict);
      } else waiting?.reject(new Error(`parser: reading a file failed: ${response.error}`));
    });
    this.#worker.on('error', (err: unknown) =>
      this.#fail(new Error(`parser: a parser thread failed: ${String(err)}`, { cause: err })),
    );
    this.#worker.on('exit', (code) =>
      this.#fail(new Error(`parser: a parser thread exited with code ${code}`)),
    );
    // An idle pool must not keep the process alive; a busy one does (see parse).
    this.#worker.unref();
  }

  get pending(): number {
    return this.#waiting.size;
  }

  parse(file: ArchiveFile): Promise<PackedFileVerdict> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    if (this.#waiting.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      const request: ParseRequest = { id, file };
      this.#worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('parser: used after it was closed');
    await this.#worker.terminate();
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#worker.unref();
    for (const waiting of this.#waiting.values()) waiting.reject(this.#failure);
    this.#waiting.clear();
  }
}
