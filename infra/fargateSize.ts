/**
 * Valid Fargate (Linux, x86 and ARM) task sizes: CPU units → allowed memory in MiB, from the
 * "Task CPU and memory" table of the Amazon ECS Developer Guide.
 */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

export interface FargateSize {
  /** CPU units as ECS wants them in a task definition, e.g. "1024". */
  readonly cpu: string;
  /** Memory in MiB, e.g. "4096". */
  readonly memory: string;
}

/** Checks a CPU/memory pair against the Fargate table, naming the valid choices when it is not. */
export function fargateSize(cpu: number, memory: number): FargateSize {
  const memories = FARGATE_MEMORY_BY_CPU[cpu];
  if (!memories) {
    throw new Error(
      `config: Expected \`taskCpu\` to be one of ${Object.keys(FARGATE_MEMORY_BY_CPU).join(', ')} (CPU units), got \`${cpu}\``,
    );
  }
  if (!memories.includes(memory)) {
    throw new Error(
      `config: Expected \`taskMemory\` for taskCpu ${cpu} to be one of ${memories.join(', ')} (MiB), got \`${memory}\``,
    );
  }
  return { cpu: String(cpu), memory: String(memory) };
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}
