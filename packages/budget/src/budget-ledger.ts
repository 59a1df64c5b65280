import { randomUUID } from 'node:crypto';
import { emptyAccount, closeIn, reserveIn, reservedMicros, withoutExpired } from './budget-account.js';
import type { AccountStore } from './account-store.js';
import { scopeKey, type BudgetScope } from './budget-scope.js';
import type { Logger } from './logger.js';
import { toMicroUsd, toUsd } from './micro-usd.js';

/** Money held for one call across its scopes until it is settled or released. */
export interface Reservation {
  readonly id: string;
  readonly scopes: readonly BudgetScope[];
  readonly amountUsd: number;
  readonly amountMicros: number;
}

export interface BudgetSnapshot {
  scope: string;
  limitUsd: number | null;
  spentUsd: number;
  reservedUsd: number;
  /** null when the scope has no limit. */
  remainingUsd: number | null;
}

export interface SettleResult {
  costUsd: number;
  /** What the call cost beyond its reservation (0 unless the upper bound was wrong). */
  overrunUsd: number;
}

/**
 * A cost ledger with per-task and per-tenant budgets. Reserve the call's worst case BEFORE
 * calling (`maxCostOf`), settle the actual cost after (`costOf`), release on failure: the sum of
 * spent and reserved never passes a limit, however many calls run at once.
 */
export interface BudgetLedger extends AsyncDisposable {
  /** Sets (or with null removes) a scope's limit; spending and reservations are kept. */
  setLimit(scope: BudgetScope, limitUsd: number | null): Promise<void>;
  /** Holds `maxCostUsd` in every scope, or throws BUDGET_EXCEEDED (details: scope, limitUsd, spentUsd, reservedUsd, requestedUsd) and holds nothing. */
  reserve(scopes: BudgetScope | readonly BudgetScope[], maxCostUsd: number): Promise<Reservation>;
  /** Charges the actual cost and frees the reservation. Idempotent per reservation. */
  settle(reservation: Reservation, actualCostUsd: number): Promise<SettleResult>;
  /** Frees the reservation without a charge (the call failed). Idempotent. */
  release(reservation: Reservation): Promise<void>;
  snapshot(scope: BudgetScope): Promise<BudgetSnapshot>;
  dispose(): Promise<void>;
}

export interface BudgetLedgerOptions {
  /** A reservation nobody settles lapses after this long (default 10 min): a crashed worker's hold comes back. */
  reservationTtlMs?: number;
  now?: () => number;
  logger?: Logger;
}

/** Builds a ledger on an AccountStore; used by the memory and NATS KV ledgers. */
export function createLedger(store: AccountStore, options: BudgetLedgerOptions = {}): BudgetLedger {
  const ttlMs = options.reservationTtlMs ?? 600_000;
  const now = options.now ?? Date.now;
  const closed = new Set<string>();

  const close = async (reservation: Reservation, actualMicros: number) => {
    for (const scope of reservation.scopes) {
      await store.update(scopeKey(scope), (account) => closeIn(account ?? emptyAccount(), reservation.id, actualMicros, now()));
    }
  };

  const ledger: BudgetLedger = {
    async setLimit(scope, limitUsd) {
      const limitMicros = limitUsd === null ? null : toMicroUsd(limitUsd);
      await store.update(scopeKey(scope), (account) => ({ ...(account ?? emptyAccount()), limitMicros }));
    },
    async reserve(scopes, maxCostUsd) {
      const list = (Array.isArray(scopes) ? scopes : [scopes]) as BudgetScope[];
      const reservation: Reservation = { id: randomUUID(), scopes: list, amountUsd: maxCostUsd, amountMicros: toMicroUsd(maxCostUsd, 'up') };
      const held: BudgetScope[] = [];
      try {
        for (const scope of list) {
          const key = scopeKey(scope);
          await store.update(key, (account) => reserveIn(account ?? emptyAccount(), key, reservation.id, reservation.amountMicros, now(), ttlMs));
          held.push(scope);
        }
      } catch (error) {
        // All or nothing: give back what the earlier scopes already hold.
        await close({ ...reservation, scopes: held }, 0).catch((releaseError: unknown) =>
          options.logger?.error({ err: releaseError, reservation: reservation.id }, 'could not release a partial reservation; it lapses after its TTL'),
        );
        throw error;
      }
      return reservation;
    },
    async settle(reservation, actualCostUsd) {
      const costMicros = toMicroUsd(actualCostUsd);
      const overrunMicros = Math.max(0, costMicros - reservation.amountMicros);
      if (closed.has(reservation.id)) return { costUsd: toUsd(costMicros), overrunUsd: 0 };
      closed.add(reservation.id);
      if (overrunMicros > 0) options.logger?.warn({ reservation: reservation.id, overrunUsd: toUsd(overrunMicros) }, 'a call cost more than its reservation');
      await close(reservation, costMicros);
      return { costUsd: toUsd(costMicros), overrunUsd: toUsd(overrunMicros) };
    },
    async release(reservation) {
      if (closed.has(reservation.id)) return;
      closed.add(reservation.id);
      await close(reservation, 0);
    },
    async snapshot(scope) {
      const key = scopeKey(scope);
      const account = withoutExpired((await store.read(key)) ?? emptyAccount(), now());
      const reserved = reservedMicros(account, now());
      return {
        scope: key,
        limitUsd: account.limitMicros === null ? null : toUsd(account.limitMicros),
        spentUsd: toUsd(account.spentMicros),
        reservedUsd: toUsd(reserved),
        remainingUsd: account.limitMicros === null ? null : toUsd(account.limitMicros - account.spentMicros - reserved),
      };
    },
    dispose: () => store.dispose(),
    [Symbol.asyncDispose]: () => ledger.dispose(),
  };
  return ledger;
}
