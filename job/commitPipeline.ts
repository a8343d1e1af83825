import type { LakeStaging } from './lake/lake.ts';

/**
 * The run's commits: one at a time and in order, each running while the next chunk is fetched,
 * parsed and staged into the other staging area, across pieces too (a piece's last commit runs
 * while the next piece is listed, planned and staged), so the two sides never wait for each other
 * at a piece's end.
 */
export class CommitPipeline {
  #filling: LakeStaging;
  #spare: LakeStaging;
  #inFlight: Promise<void> | undefined;

  constructor(stagings: readonly [LakeStaging, LakeStaging]) {
    [this.#filling, this.#spare] = stagings;
  }

  /** The staging area to fill next, and a signal that aborts when the commit in flight fails. */
  nextStaging(): { readonly staging: LakeStaging; readonly stop: AbortSignal } {
    const failed = new AbortController();
    this.#inFlight?.catch(() => failed.abort());
    return { staging: this.#filling, stop: failed.signal };
  }

  /**
   * Waits for the commit in flight (its error ends the run here), then starts `commit` of the
   * staging area just filled and hands out the other one to fill.
   */
  async commit(commit: (staging: LakeStaging) => Promise<void>): Promise<void> {
    await this.#inFlight;
    this.#inFlight = commit(this.#filling);
    this.#inFlight.catch(() => undefined); // observed later (see afterCommits)
    [this.#filling, this.#spare] = [this.#spare, this.#filling];
  }

  /** Runs `then` once every commit started so far has landed; a failure of it ends the run. */
  afterCommits(then: () => Promise<void> | void): void {
    const before = this.#inFlight;
    this.#inFlight = (async () => {
      await before;
      await then();
    })();
    // Observed by the next commit, afterCommits or drain; never an unhandled rejection meanwhile.
    this.#inFlight.catch(() => undefined);
  }

  /** Waits until every commit started has landed, and throws the first failure. */
  async drain(): Promise<void> {
    await this.#inFlight;
  }

  /** Lets a commit in flight finish, whatever it ends with (the run is failing anyway). */
  async settle(): Promise<void> {
    await this.#inFlight?.catch(() => undefined);
  }
}
