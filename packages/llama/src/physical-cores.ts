import { readFileSync } from 'node:fs';
import { arch, availableParallelism, platform } from 'node:os';

/**
 * How many llama.cpp threads this process should use by default: the physical cores it may run on.
 *
 * `os.availableParallelism()` counts logical CPUs, and node-llama-cpp's own default is
 * `max(cpuMathCores, 4)`; both oversubscribe small machines (4 threads on 2 vCPUs made generation
 * 25-100x slower here), because llama.cpp threads spin-wait and two of them on one core stall each
 * other. So we count distinct physical cores among the CPUs this process is allowed to use, and
 * never exceed the logical count or the cgroup CPU quota of a container.
 */
export function estimatePhysicalCores(): number {
  const logical = availableParallelism();
  const physical = (platform() === 'linux' ? linuxPhysicalCores() : undefined) ?? fallbackPhysicalCores(logical);
  const quota = cgroupCpuLimit();
  return Math.max(1, Math.min(physical, logical, quota ?? Number.POSITIVE_INFINITY));
}

/** Parses a kernel CPU list such as `0-3,8,10-11` into CPU numbers. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [start, end] = part.split('-').map((value) => Number.parseInt(value, 10));
    if (start === undefined || Number.isNaN(start)) continue;
    const last = end === undefined || Number.isNaN(end) ? start : end;
    for (let cpu = start; cpu <= last; cpu += 1) cpus.push(cpu);
  }
  return cpus;
}

/** CPUs allowed by a cgroup v2 `cpu.max` line (`"200000 100000"` is 2); undefined when unlimited. */
export function parseCgroupCpuMax(line: string): number | undefined {
  const [quota, period] = line.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return undefined;
  return quotaToCpus(Number(quota), Number(period));
}

function quotaToCpus(quota: number, period: number): number | undefined {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return undefined;
  return Math.max(1, Math.ceil(quota / period));
}

/** Distinct (package, core) pairs among the CPUs in this process's affinity mask. */
function linuxPhysicalCores(): number | undefined {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const allowed = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1];
    if (allowed === undefined) return undefined;
    const cores = new Set<string>();
    for (const cpu of parseCpuList(allowed)) {
      const topology = `/sys/devices/system/cpu/cpu${cpu}/topology`;
      const core = readFileSync(`${topology}/core_id`, 'utf8').trim();
      const socket = readFileSync(`${topology}/physical_package_id`, 'utf8').trim();
      cores.add(`${socket}:${core}`);
    }
    return cores.size > 0 ? cores.size : undefined;
  } catch {
    // Some sandboxes hide /sys; fall back to the heuristic rather than failing model loads.
    return undefined;
  }
}

/** Without topology data, assume 2-way SMT except on Apple Silicon, which has none. */
function fallbackPhysicalCores(logical: number): number {
  if (platform() === 'darwin' && arch() === 'arm64') return logical;
  return Math.max(1, Math.floor(logical / 2));
}

function cgroupCpuLimit(): number | undefined {
  if (platform() !== 'linux') return undefined;
  try {
    return parseCgroupCpuMax(readFileSync('/sys/fs/cgroup/cpu.max', 'utf8'));
  } catch {
    // cgroup v1 keeps the quota in two files.
  }
  try {
    const quota = Number(readFileSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us', 'utf8'));
    const period = Number(readFileSync('/sys/fs/cgroup/cpu/cpu.cfs_period_us', 'utf8'));
    return quotaToCpus(quota, period);
  } catch {
    return undefined;
  }
}
