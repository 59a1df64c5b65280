import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { ErrorCode, TroupeError } from '@troupe/protocol';
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

const isConflict = (error: unknown) =>
  error instanceof JetStreamApiError &&
  (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

/** `task:abc` → `task.abc`; bytes of the id outside [A-Za-z0-9_-] become `=XX` (KV keys allow little else). */
function kvKeyOf(key: string): string {
  const separator = key.indexOf(':');
  const id = [...new TextEncoder().encode(key.slice(separator + 1))]
    .map((byte) => (/^[A-Za-z0-9_-]$/.test(String.fromCharCode(byte)) && byte < 128 ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return `${key.slice(0, separator)}.${id}`;
}

/**
 * A ledger in a NATS JetStream KV bucket, shared by every process on the cluster. Each scope is
 * one key; every change is a revision compare-and-set (`create` for a new key, `update` with the
 * revision read), retried with jittered backoff on conflict — so two processes can never both
 * spend the last dollar. Uses only nats-server 2.9 features.
 *
 * @example
 * await using ledger = await createKvBudgetLedger({ connection });
 * await ledger.setLimit(tenantScope('acme'), 25);
 */
export async function createKvBudgetLedger(options: KvBudgetLedgerOptions): Promise<BudgetLedger> {
  const kv: KV = await new Kvm(options.connection).create(options.bucket ?? 'troupe_budgets', { history: 1 });
  const maxRounds = options.maxRounds ?? 500;
  const store: AccountStore = {
    async read(key) {
      const entry = await kv.get(kvKeyOf(key));
      return entry?.operation === 'PUT' ? entry.json<BudgetAccount>() : undefined;
    },
    async update(key, mutate) {
      const kvKey = kvKeyOf(key);
      for (let round = 0; round < maxRounds; round += 1) {
        const entry = await kv.get(kvKey);
        const exists = entry?.operation === 'PUT';
        const next = mutate(exists ? entry.json<BudgetAccount>() : undefined);
        try {
          if (exists) await kv.update(kvKey, JSON.stringify(next), entry.revision);
          else await kv.create(kvKey, JSON.stringify(next));
          return next;
        } catch (error) {
          if (!isConflict(error)) throw error;
          // Someone else wrote first: back off a random moment so the writers spread out.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** Math.min(round, 6))));
        }
      }
      throw new TroupeError(ErrorCode.INTERNAL, `budget ${key}: gave up after ${maxRounds} conflicting writes`, { retryable: true });
    },
    async dispose() {
      // The connection belongs to the caller; the bucket handle holds nothing to close.
    },
  };
  return createLedger(store, options);
}
