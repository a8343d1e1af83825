/** A one-line progress display on a terminal: stage, files done/total, rows, rate, ETA. */
export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #started = performance.now();
  #lastDraw = 0;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  update(progress: { stage: string; filesDone: number; filesTotal: number; rows: number }): void {
    const now = performance.now();
    if (now - this.#lastDraw < 100 && progress.filesDone < progress.filesTotal) return;
    this.#lastDraw = now;
    const elapsed = (now - this.#started) / 1000;
    const rate = elapsed > 0 ? progress.filesDone / elapsed : 0;
    const remaining = rate > 0 ? (progress.filesTotal - progress.filesDone) / rate : 0;
    const percent =
      progress.filesTotal > 0 ? Math.floor((100 * progress.filesDone) / progress.filesTotal) : 100;
    const text =
      `${progress.stage.padEnd(7)} ${progress.filesDone}/${progress.filesTotal} files (${percent}%)  ` +
      `${progress.rows.toLocaleString('en-US')} rows  ${rate.toFixed(0)} files/s  ETA ${remaining.toFixed(0)} s`;
    this.#stream.write(`\r${text.slice(0, (this.#stream.columns || 120) - 1)}\x1b[K`);
  }

  finish(): void {
    this.#stream.write('\r\x1b[K');
  }
}
