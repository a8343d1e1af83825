import { describe, expect, it } from 'vitest';
import { FARGATE_MEMORY_BY_CPU, fargateSize } from '../../infra/fargateSize.ts';

describe('fargateSize', () => {
  it.each([
    [256, 512],
    [256, 2048],
    [1024, 2048],
    [1024, 8192],
    [4096, 30720],
    [8192, 61440],
    [16384, 122880],
  ])('accepts %i CPU units with %i MiB', (cpu, memory) => {
    expect(fargateSize(cpu, memory)).toEqual({ cpu: String(cpu), memory: String(memory) });
  });

  it('refuses a CPU value Fargate does not offer, listing the ones it does', () => {
    expect(() => fargateSize(1000, 2048)).toThrow(
      'config: Expected `taskCpu` to be one of 256, 512, 1024, 2048, 4096, 8192, 16384 (CPU units), got `1000`',
    );
  });

  it.each([
    [256, 4096],
    [1024, 1024],
    [1024, 9216],
    [8192, 18432],
  ])('refuses %i CPU units with %i MiB, listing the valid memory', (cpu, memory) => {
    expect(() => fargateSize(cpu, memory)).toThrow(
      `config: Expected \`taskMemory\` for taskCpu ${cpu} to be one of ${FARGATE_MEMORY_BY_CPU[cpu]!.join(', ')} (MiB), got \`${memory}\``,
    );
  });

  it('steps memory by 1 GiB up to 4 vCPU, then 4 and 8 GiB', () => {
    expect(FARGATE_MEMORY_BY_CPU[2048]).toHaveLength(13);
    expect(FARGATE_MEMORY_BY_CPU[8192]?.[1]).toBe(20480);
    expect(FARGATE_MEMORY_BY_CPU[16384]?.[1]).toBe(40960);
  });
});
