import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ServiceName = 'planner' | 'worker' | 'judge' | 'gateway';

const READY_MARKER = 'TROUPE_READY';

/** Path of a service's entry point in this monorepo. */
export function serviceEntry(name: ServiceName): string {
  return fileURLToPath(new URL(`../../../services/${name}/src/main.ts`, import.meta.url));
}

export interface LaunchedService {
  name: ServiceName;
  process: ChildProcess;
  /** Everything the service wrote to stderr (its logs), last 64 KiB. */
  logs(): string;
  /** What the service wrote to stdout (its ready line, the gateway's URL), first 64 KiB. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a Troupe service as its own OS process and resolves once it prints its ready line.
 * Used by `troupe up`, the integration tests and the benchmarks.
 */
export async function launchService(name: ServiceName, env: NodeJS.ProcessEnv, options: { readyTimeoutMs?: number } = {}): Promise<LaunchedService> {
  // TROUPE_NODE_ARGS passes extra Node flags (e.g. --cpu-prof) to every service, for profiling.
  const extra = (process.env.TROUPE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--conditions=@troupe/source', '--import', 'tsx', serviceEntry(name)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    logs = (logs + chunk.toString()).slice(-65_536);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready:\n${logs}`)), options.readyTimeoutMs ?? 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(0, 65_536);
      if (stdout.includes(READY_MARKER)) {
        clearTimeout(timer);
        resolve();
      }
    });
    // 'close', not 'exit': a process that dies at once exits before its stderr (the reason) is read.
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready:\n${logs}`));
    });
  });
  return {
    name,
    process: child,
    logs: () => logs,
    output: () => stdout,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}
