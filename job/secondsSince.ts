/** Seconds since `startMs` (a `performance.now()` reading). */
export const secondsSince = (startMs: number): number => (performance.now() - startMs) / 1000;
