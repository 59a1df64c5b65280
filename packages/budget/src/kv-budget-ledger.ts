import type { NatsConnection } from '@nats-io/nats-core';
import { kvKey, openKvBucket } from '@troupe/kv';
import { z } from 'zod';
import type { AccountStore } from './account-store.js';
import type { BudgetAccount } from './budget-account.js';
import { createLedger, type BudgetLedger, type BudgetLedgerOptions } from './budget-ledger.js';

export interface KvBudgetLedgerOptions extends BudgetLedgerOptions {
  connection: NatsConnection;
  /** Bucket name (default `troupe_budgets`); created if missing, history 1. */
  bucket?: string;
  /** CAS rounds before giving up under contention (default 500). */
  maxRounds?: number;
}

/** What a stored account must look like; read back through this, never cast. */
const StoredAccount: z.ZodType<BudgetAccount> = z.object({
  limitMicros: z.number().nullable(),
  spentMicros: z.number(),
  reservations: z.record(z.string(), z.object({ micros: z.number(), expiresAt: z.number() })),
});

/** `task:abc` → `task.abc`, the id escaped into one key token. */
function kvKeyOf(key: string): string {
  const separator = key.indexOf(':');
  return kvKey(key.slice(0, separator), key.slice(separator + 1));
}

/**
 * A ledger in a NATS JetStream KV bucket, shared by every process on the cluster. Each scope is
 * one key; every change is a revision compare-and-set (`@troupe/kv` `mutate`), retried with
 * jittered backoff on conflict — so two processes can never both spend the last dollar. Uses only
 * nats-server 2.9 features.
 *
 * @example
 * await using ledger = await createKvBudgetLedger({ connection });
 * await ledger.setLimit(tenantScope('acme'), 25);
 */
export async function createKvBudgetLedger(options: KvBudgetLedgerOptions): Promise<BudgetLedger> {
  const accounts = await openKvBucket({ connection: options.connection, bucket: options.bucket ?? 'troupe_budgets', schema: StoredAccount });
  const maxRounds = options.maxRounds ?? 500;
  const store: AccountStore = {
    async read(key) {
      return (await accounts.get(kvKeyOf(key)))?.value;
    },
    async update(key, mutate) {
      return (await accounts.mutate(kvKeyOf(key), mutate, { maxRounds })).value;
    },
    async dispose() {
      // The connection belongs to the caller; the bucket handle holds nothing to close.
    },
  };
  return createLedger(store, options);
}
