const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A one-line sparkline of values, e.g. rows per day. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => (max === 0 ? BLOCKS[0] : BLOCKS[Math.min(7, Math.floor((v / max) * 7.999))]))
    .join('');
}

/** A horizontal bar of `width` cells showing part of whole, e.g. files loaded of files listed. */
export function bar(part: number, whole: number, width = 20): string {
  const filled = whole > 0 ? Math.round((Math.min(part, whole) / whole) * width) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}
