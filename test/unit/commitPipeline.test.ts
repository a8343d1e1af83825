import { describe, expect, it } from 'vitest';
import { CommitPipeline } from '../../job/commitPipeline.ts';
import type { LakeStaging } from '../../job/lake/lake.ts';

/** Two stand-in staging areas: the pipeline only hands them out. */
const stagings = [{ alias: 'a' }, { alias: 'b' }] as unknown as [LakeStaging, LakeStaging];
const aliasOf = (staging: LakeStaging): string => (staging as unknown as { alias: string }).alias;

/** A commit that lands when `land` is called (or fails with `fail`). */
function pendingCommit() {
  let land!: () => void;
  let fail!: (error: Error) => void;
  const landed = new Promise<void>((resolve, reject) => {
    land = resolve;
    fail = reject;
  });
  return { landed, land, fail };
}

describe('CommitPipeline', () => {
  it('hands out the staging areas in turn and runs commits one at a time, in order', async () => {
    const pipeline = new CommitPipeline(stagings);
    const events: string[] = [];
    const first = pendingCommit();
    expect(aliasOf(pipeline.nextStaging().staging)).toBe('a');
    await pipeline.commit(async (staging) => {
      events.push(`commit ${aliasOf(staging)} started`);
      await first.landed;
      events.push(`commit ${aliasOf(staging)} landed`);
    });
    // While a's commit runs, b fills; b's commit starts only once a's has landed.
    expect(aliasOf(pipeline.nextStaging().staging)).toBe('b');
    const second = pipeline.commit((staging) => {
      events.push(`commit ${aliasOf(staging)} started`);
      return Promise.resolve();
    });
    await Promise.resolve();
    expect(events).toEqual(['commit a started']);
    first.land();
    await second;
    await pipeline.drain();
    expect(events).toEqual(['commit a started', 'commit a landed', 'commit b started']);
    expect(aliasOf(pipeline.nextStaging().staging)).toBe('a');
  });

  it('runs what waits for the commits (a piece let go) only after they landed', async () => {
    const pipeline = new CommitPipeline(stagings);
    const commit = pendingCommit();
    const events: string[] = [];
    await pipeline.commit(() => commit.landed.then(() => void events.push('landed')));
    pipeline.afterCommits(() => void events.push('piece released'));
    await Promise.resolve();
    expect(events).toEqual([]);
    commit.land();
    await pipeline.drain();
    expect(events).toEqual(['landed', 'piece released']);
  });

  it('a failed commit stops the staging under way and ends the run at the next commit', async () => {
    const pipeline = new CommitPipeline(stagings);
    const commit = pendingCommit();
    await pipeline.commit(() => commit.landed);
    const { stop } = pipeline.nextStaging();
    commit.fail(new Error('lake: conflict after 10 retries'));
    await pipeline.settle(); // never throws: lets the commit finish before the session closes
    expect(stop.aborted).toBe(true);
    let started = false;
    await expect(
      pipeline.commit(() => {
        started = true;
        return Promise.resolve();
      }),
    ).rejects.toThrow('conflict after 10 retries');
    expect(started).toBe(false);
    await expect(pipeline.drain()).rejects.toThrow('conflict after 10 retries');
  });
});
