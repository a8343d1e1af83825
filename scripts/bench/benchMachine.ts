import { cpus, totalmem } from 'node:os';

/** The machine a bench ran on, as its results record it. */
export interface BenchMachine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export function benchMachine(): BenchMachine {
  const all = cpus();
  return {
    cpus: all.length,
    cpuModel: all[0]?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  };
}
