import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { z } from 'zod';
import { openKvBucket, type KvBucket } from './kv-bucket.js';
import { encodeKvKey } from './kv-key.js';

export interface KvIdempotencyOptions {
  connection: NatsConnection;
  /** Bucket name (default `troupe_idempotency`). */
  bucket?: string;
  /** How long a reply is remembered after it was stored (default 10 min; bucket-wide TTL). */
  ttlMs?: number;
  /** A claim not renewed for this long is a dead replica's and may be taken over (default 10 s). */
  leaseMs?: number;
  replicas?: number;
}

/** Same key → same reply, the work done once, across every process sharing the bucket. */
export interface KvIdempotency {
  run(key: string, work: () => Promise<unknown>, signal?: AbortSignal): Promise<unknown>;
}

const Entry = z.object({
  state: z.enum(['running', 'done']),
  owner: z.string(),
  /** Epoch ms; a running claim past it may be taken over. */
  leaseUntil: z.number(),
  reply: z.unknown().optional(),
});
type Entry = z.infer<typeof Entry>;

const MAX_POLL_MS = 200;

/**
 * Idempotency keys in NATS KV, shared by every replica: the first to `create` a key runs the work
 * (renewing its claim while it runs) and stores the reply; any replica that gets the same key meanwhile
 * waits for that reply, and later ones read it back — until the bucket's TTL forgets it. A failure is not
 * remembered (the claim is deleted), so a retry after an error really retries; a claim whose replica
 * died lapses after `leaseMs` and is taken over.
 *
 * @example
 * const idempotency = await createKvIdempotency({ connection });
 * const reply = await idempotency.run(`tasks.run:${key}`, () => runTask(task), signal);
 */
export async function createKvIdempotency(options: KvIdempotencyOptions): Promise<KvIdempotency> {
  const leaseMs = options.leaseMs ?? 10_000;
  const bucket = await openKvBucket({
    connection: options.connection,
    bucket: options.bucket ?? 'troupe_idempotency',
    schema: Entry,
    ttlMs: options.ttlMs ?? 10 * 60_000,
    ...(options.replicas ? { replicas: options.replicas } : {}),
  });
  const owner = randomUUID();
  const claimOf = (): Entry => ({ state: 'running', owner, leaseUntil: Date.now() + leaseMs });
  return {
    async run(key, work, signal) {
      const kvKey = encodeKvKey(key);
      for (let round = 0; ; round += 1) {
        if (signal?.aborted) throw new TroupeError(ErrorCode.TIMEOUT, 'gave up waiting for the reply of another replica to the same idempotency key');
        const current = await bucket.get(kvKey);
        if (current?.value.state === 'done') return current.value.reply;
        const lapsed = current !== undefined && current.value.leaseUntil < Date.now();
        if (!current || lapsed) {
          const claimed = await bucket.write(kvKey, claimOf(), current?.revision ?? 0);
          if (claimed.ok) return runClaimed(bucket, kvKey, claimed.revision, { work, claimOf, leaseMs, owner });
          continue;
        }
        // Another replica is doing this work: wait for its reply instead of doing it again.
        await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_POLL_MS, 5 * 2 ** Math.min(round, 6))));
      }
    },
  };
}

/** Runs the work under our claim, renewing it, and stores the reply (or frees the key on failure). */
async function runClaimed(
  bucket: KvBucket<Entry>,
  kvKey: string,
  revision: number,
  claim: { work: () => Promise<unknown>; claimOf: () => Entry; leaseMs: number; owner: string },
): Promise<unknown> {
  let held = revision;
  const renew = setInterval(() => {
    void bucket
      .write(kvKey, claim.claimOf(), held)
      .then((written) => {
        if (written.ok) held = written.revision;
      })
      .catch(() => undefined);
  }, claim.leaseMs / 3);
  let reply: unknown;
  try {
    reply = await claim.work();
  } catch (error) {
    clearInterval(renew);
    await bucket.delete(kvKey).catch(() => undefined);
    throw error;
  }
  clearInterval(renew);
  // Unconditional: a renewal may be in flight, and the reply is ours to store whatever the revision.
  await bucket.put(kvKey, { state: 'done', owner: claim.owner, leaseUntil: 0, reply }).catch(() => undefined);
  return reply;
}
