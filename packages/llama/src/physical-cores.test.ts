import { availableParallelism, platform } from 'node:os';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimatePhysicalCores, parseCgroupCpuMax, parseCpuList } from './physical-cores.js';

describe('physical core estimate', () => {
  it('parses kernel CPU lists with ranges and singles', () => {
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('0')).toEqual([0]);
    expect(parseCpuList('')).toEqual([]);
  });

  it('turns a cgroup v2 quota into whole CPUs and ignores "max"', () => {
    expect(parseCgroupCpuMax('200000 100000\n')).toBe(2);
    expect(parseCgroupCpuMax('150000 100000')).toBe(2);
    expect(parseCgroupCpuMax('max 100000')).toBeUndefined();
  });

  it('never exceeds the logical CPUs and is at least one', () => {
    const cores = estimatePhysicalCores();
    expect(cores).toBeGreaterThanOrEqual(1);
    expect(cores).toBeLessThanOrEqual(availableParallelism());
  });

  it.runIf(platform() === 'linux')('counts distinct physical cores from sysfs on Linux', () => {
    const allowed = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
    const cores = new Set(
      parseCpuList(allowed).map((cpu) => {
        const topology = `/sys/devices/system/cpu/cpu${cpu}/topology`;
        return `${readFileSync(`${topology}/physical_package_id`, 'utf8').trim()}:${readFileSync(`${topology}/core_id`, 'utf8').trim()}`;
      }),
    );
    expect(estimatePhysicalCores()).toBe(Math.min(cores.size, availableParallelism()));
  });
});
