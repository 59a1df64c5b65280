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
  /** Model executions of this attempt whose result reached the ledger, across replicas; above 1 means it was paid twice. */
  executions: number;
  /**
   * Model executions begun, recorded before each call starts (claim or takeover). Above 1 means the
   * attempt was run again although an earlier run may have finished and never been stored (its worker
   * was killed after the call, or the store was unreachable past its lease): the honest re-execution count.
   */
  starts?: number;
}

/** What a stored attempt must look like; read back through this, never cast. */
const NodeAttemptSchema: z.ZodType<NodeAttemptEntry> = z.object({
  state: z.enum(['running', 'done']),
  worker: z.string(),
  leaseUntil: z.number(),
  result: WorkerResult.optional(),
  executions: z.number().int().nonnegative(),
  starts: z.number().int().nonnegative().optional(),
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
  /**
   * How long a finished result keeps being offered to an unreachable store after its lease ran out
   * (default 60 s), in the background: a late result still wins over a takeover that has not finished.
   */
  lateStoreMs?: number;
}

/** `<tenant>.<taskId>.<nodeId>.<attempt>`; ids are subject-safe tokens. */
export const nodeAttemptKey = (request: Pick<SubtaskRequest, 'tenant' | 'taskId' | 'nodeId' | 'attempt'>) =>
  `${request.tenant}.${request.taskId}.${request.nodeId}.${request.attempt}`;

type Claim = { revision: number; executions: number; starts: number; leaseUntil: number };

const NOT_STORED = Symbol('not stored');

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
  const lateStoreMs = options.lateStoreMs ?? 60_000;

  /** Resolves with our claim, or with a stored result to replay. */
  async function claim(key: string, request: SubtaskRequest, signal: AbortSignal): Promise<Claim | { replay: WorkerResult }> {
    // The start record: written before the model is called, so a run that finishes and is never stored still counts.
    const ours = (executions: number, starts: number): NodeAttemptEntry => ({
      state: 'running',
      worker: options.workerId,
      leaseUntil: Date.now() + request.timeoutMs + 1_000,
      executions,
      starts,
    });
    for (;;) {
      signal.throwIfAborted();
      const fresh = ours(0, 1);
      const created = await attempts.write(key, fresh, 0);
      if (created.ok) return { revision: created.revision, executions: 0, starts: 1, leaseUntil: fresh.leaseUntil };
      const current = await attempts.get(key);
      if (!current) continue;
      if (current.value.state === 'done' && current.value.result) return { replay: current.value.result };
      if (current.value.leaseUntil <= Date.now()) {
        const taken = ours(current.value.executions, (current.value.starts ?? 1) + 1);
        const written = await attempts.write(key, taken, current.revision);
        if (!written.ok) continue;
        logger.warn({ key, from: current.value.worker, starts: taken.starts }, 'took over an attempt whose worker stopped renewing it');
        return { revision: written.revision, executions: current.value.executions, starts: taken.starts!, leaseUntil: taken.leaseUntil };
      }
      // Another replica is running this very attempt: wait for its result rather than pay twice.
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /**
   * The end record: stores the result; if another replica finished the attempt too, both executions
   * are counted. While the store is unreachable it keeps trying until `until` (first our lease: the
   * reply could not travel either), so a replica taking the claim over finds the result instead of paying again.
   */
  async function complete(key: string, result: WorkerResult, claimed: Claim, until: number): Promise<WorkerResult | typeof NOT_STORED> {
    let expected = claimed.revision;
    let base: NodeAttemptEntry = {
      state: 'done',
      worker: options.workerId,
      leaseUntil: 0,
      result,
      executions: claimed.executions,
      starts: claimed.starts,
    };
    for (let tries = 0, failures = 0; tries < 20;) {
      try {
        const written = await attempts.write(key, { ...base, executions: base.executions + 1 }, expected);
        if (written.ok) return base.result ?? result;
        tries += 1;
      } catch (error) {
        failures += 1;
        // Capped low: once the store is back, this write should land before a takeover does.
        const waitMs = Math.min(250, 25 * 2 ** failures);
        if (Date.now() + waitMs > until) {
          logger.debug({ err: error, key }, 'could not store a node result yet');
          return NOT_STORED;
        }
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        continue;
      }
      const current = await attempts.get(key).catch(() => undefined);
      if (!current) return result;
      expected = current.revision;
      // The first stored result wins, so every replica replays the same output.
      base =
        current.value.state === 'done'
          ? current.value
          : { ...base, executions: current.value.executions, starts: current.value.starts ?? claimed.starts };
    }
    return base.result ?? result;
  }

  /** Stores within the lease; past it, answers and keeps offering the result in the background. */
  async function end(key: string, result: WorkerResult, claimed: Claim): Promise<WorkerResult> {
    const stored = await complete(key, result, claimed, claimed.leaseUntil);
    if (stored !== NOT_STORED) return stored;
    logger.warn({ key }, 'could not store a node result within its lease; answering, and still storing it in the background');
    void complete(key, result, claimed, Date.now() + lateStoreMs).then(
      (late) => {
        if (late === NOT_STORED) logger.warn({ key }, 'gave up storing a node result; a resumed planner may run this attempt again');
      },
      (error: unknown) => logger.warn({ err: error, key }, 'storing a node result late failed'),
    );
    return result;
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
        const released: NodeAttemptEntry = {
          state: 'running',
          worker: options.workerId,
          leaseUntil: 0,
          executions: claimed.executions,
          starts: claimed.starts,
        };
        await attempts.write(key, released, claimed.revision).catch(() => undefined);
        throw error;
      }
      return end(key, result, claimed);
    },
  };
}

/** Opens (creating if needed) the node-results bucket. */
export function openNodeResultsBucket(
  options: Pick<KvNodeLedgerOptions, 'connection' | 'bucket' | 'retentionMs' | 'replicas'>,
): Promise<KvBucket<NodeAttemptEntry>> {
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
