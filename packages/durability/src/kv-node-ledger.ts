import type { NatsConnection } from '@nats-io/nats-core';
import { openKvBucket, type KvBucket } from '@troupe/kv';
import { WorkerResult, type SubtaskRequest } from '@troupe/protocol';
import type { NodeResultLedger } from '@troupe/store-contract';
import { silentLogger, type Logger } from '@troupe/transport';
import { z } from 'zod';
import { DurableResource } from './resource-names.js';

/** One node attempt in the ledger: claimed by a worker while it runs, then its result. */
export interface NodeAttemptEntry {
  state: 'running' | 'done';
  /** The worker holding the claim (running) or the one whose result is stored (done). */
  worker: string;
  /** A running claim older than this is a dead worker's: another replica may take it over. */
  leaseUntil: number;
  result?: WorkerResult;
  /** Model executions of this attempt that completed, across replicas; above 1 means it was paid twice. */
  executions: number;
}

/** What a stored attempt must look like; read back through this, never cast. */
const NodeAttemptSchema: z.ZodType<NodeAttemptEntry> = z.object({
  state: z.enum(['running', 'done']),
  worker: z.string(),
  leaseUntil: z.number(),
  result: WorkerResult.optional(),
  executions: z.number().int().nonnegative(),
});

export interface KvNodeLedgerOptions {
  connection: NatsConnection;
  workerId: string;
  /** Bucket name (default `troupe_node_results`). */
  bucket?: string;
  /** How long attempts are remembered (default 24 h). */
  retentionMs?: number;
  replicas?: number;
  logger?: Logger;
  /** How often a replica waiting on another's claim looks again (default 50 ms). */
  pollMs?: number;
}

/** `<tenant>.<taskId>.<nodeId>.<attempt>`; ids are subject-safe tokens. */
export const nodeAttemptKey = (request: Pick<SubtaskRequest, 'tenant' | 'taskId' | 'nodeId' | 'attempt'>) =>
  `${request.tenant}.${request.taskId}.${request.nodeId}.${request.attempt}`;

type Claim = { revision: number; executions: number; leaseUntil: number };

/**
 * Worker-side durability: a JetStream KV ledger of node attempts. The first replica to `create`
 * the attempt's key runs it; a replica that gets the same attempt again (a planner resumed the
 * task and re-sent its in-flight nodes) replays the stored result, or waits for the claim holder
 * to finish, instead of paying for the model a second time. A claim whose lease ran out (its
 * worker was killed) can be taken over.
 *
 * @example
 * const ledger = await createKvNodeLedger({ connection, workerId: 'worker-1' });
 * await hostWorker({ connection, skills, models, ledger });
 */
export async function createKvNodeLedger(options: KvNodeLedgerOptions): Promise<NodeResultLedger> {
  const attempts = await openNodeResultsBucket(options);
  const logger = (options.logger ?? silentLogger).child({ component: 'node-ledger' });
  const pollMs = options.pollMs ?? 50;

  /** Resolves with our claim, or with a stored result to replay. */
  async function claim(key: string, request: SubtaskRequest, signal: AbortSignal): Promise<Claim | { replay: WorkerResult }> {
    const ours = (executions: number): NodeAttemptEntry => ({ state: 'running', worker: options.workerId, leaseUntil: Date.now() + request.timeoutMs + 1_000, executions });
    for (;;) {
      signal.throwIfAborted();
      const fresh = ours(0);
      const created = await attempts.write(key, fresh, 0);
      if (created.ok) return { revision: created.revision, executions: 0, leaseUntil: fresh.leaseUntil };
      const current = await attempts.get(key);
      if (!current) continue;
      if (current.value.state === 'done' && current.value.result) return { replay: current.value.result };
      if (current.value.leaseUntil <= Date.now()) {
        const taken = ours(current.value.executions);
        const written = await attempts.write(key, taken, current.revision);
        if (!written.ok) continue;
        logger.warn({ key, from: current.value.worker }, 'took over an attempt whose worker stopped renewing it');
        return { revision: written.revision, executions: current.value.executions, leaseUntil: taken.leaseUntil };
      }
      // Another replica is running this very attempt: wait for its result rather than pay twice.
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /**
   * Stores the result; if another replica finished the attempt too, both executions are counted.
   * While the store is unreachable it keeps trying for as long as our claim holds (the reply could
   * not travel either), so a replica taking the claim over finds the result instead of paying again.
   */
  async function complete(key: string, result: WorkerResult, claimed: Claim): Promise<WorkerResult> {
    let expected = claimed.revision;
    let base: NodeAttemptEntry = { state: 'done', worker: options.workerId, leaseUntil: 0, result, executions: claimed.executions };
    for (let tries = 0, failures = 0; tries < 20; ) {
      try {
        const written = await attempts.write(key, { ...base, executions: base.executions + 1 }, expected);
        if (written.ok) return base.result ?? result;
        tries += 1;
      } catch (error) {
        failures += 1;
        const waitMs = Math.min(1_000, 50 * 2 ** failures);
        if (Date.now() + waitMs > claimed.leaseUntil) {
          logger.warn({ err: error, key }, 'could not store a node result; a resumed planner may run this attempt again');
          return result;
        }
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        continue;
      }
      const current = await attempts.get(key).catch(() => undefined);
      if (!current) return result;
      expected = current.revision;
      // The first stored result wins, so every replica replays the same output.
      base = current.value.state === 'done' ? current.value : { ...base, executions: current.value.executions };
    }
    return base.result ?? result;
  }

  return {
    async runOnce(request, execute, signal) {
      const key = nodeAttemptKey(request);
      const claimed = await claim(key, request, signal);
      if ('replay' in claimed) return claimed.replay;
      let result: WorkerResult;
      try {
        result = await execute();
      } catch (error) {
        // Let a retry of this attempt run at once instead of waiting out our lease.
        const released: NodeAttemptEntry = { state: 'running', worker: options.workerId, leaseUntil: 0, executions: claimed.executions };
        await attempts.write(key, released, claimed.revision).catch(() => undefined);
        throw error;
      }
      return complete(key, result, claimed);
    },
  };
}

/** Opens (creating if needed) the node-results bucket. */
export function openNodeResultsBucket(options: Pick<KvNodeLedgerOptions, 'connection' | 'bucket' | 'retentionMs' | 'replicas'>): Promise<KvBucket<NodeAttemptEntry>> {
  return openKvBucket({
    connection: options.connection,
    bucket: options.bucket ?? DurableResource.nodeResultsBucket,
    schema: NodeAttemptSchema,
    ttlMs: options.retentionMs ?? 24 * 3_600_000,
    replicas: options.replicas ?? 1,
  });
}

/** Every attempt in the ledger, with its key parsed; for audits such as the chaos benchmark. */
export async function listNodeAttempts(connection: NatsConnection, options: { bucket?: string; timeoutMs?: number } = {}) {
  const bucket = await openNodeResultsBucket({ connection, ...(options.bucket ? { bucket: options.bucket } : {}) });
  const entries = await bucket.readAll({ timeoutMs: options.timeoutMs ?? 30_000 });
  return entries.map((entry) => {
    const [tenant = '', taskId = '', nodeId = '', attempt = '0'] = entry.key.split('.');
    return { ...entry.value, tenant, taskId, nodeId, attempt: Number(attempt) };
  });
}
