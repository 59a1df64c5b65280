import { ErrorCode, TroupeError } from '@troupe/protocol';
import { toUsd, type MicroUsd } from './micro-usd.js';

/** One scope's books, stored as a single value so a CAS on it is atomic. */
export interface BudgetAccount {
  /** null: no limit, spending is only recorded. */
  limitMicros: MicroUsd | null;
  spentMicros: MicroUsd;
  /** Open reservations by id; each lapses at `expiresAt` (epoch ms) if its holder never settles. */
  reservations: Record<string, { micros: MicroUsd; expiresAt: number }>;
}

export const emptyAccount = (): BudgetAccount => ({ limitMicros: null, spentMicros: 0, reservations: {} });

export function reservedMicros(account: BudgetAccount, now: number): MicroUsd {
  return Object.values(account.reservations).reduce((sum, reservation) => sum + (reservation.expiresAt > now ? reservation.micros : 0), 0);
}

/** A copy without lapsed reservations: a crashed holder's money comes back after the TTL. */
export function withoutExpired(account: BudgetAccount, now: number): BudgetAccount {
  const reservations = Object.fromEntries(Object.entries(account.reservations).filter(([, reservation]) => reservation.expiresAt > now));
  return { ...account, reservations };
}

/** Reserves `micros` or throws BUDGET_EXCEEDED; limit ≥ spent + reserved always holds after it. */
export function reserveIn(account: BudgetAccount, scope: string, id: string, micros: MicroUsd, now: number, ttlMs: number): BudgetAccount {
  const current = withoutExpired(account, now);
  const reserved = reservedMicros(current, now);
  if (current.limitMicros !== null && current.spentMicros + reserved + micros > current.limitMicros) {
    throw new TroupeError(
      ErrorCode.BUDGET_EXCEEDED,
      `budget ${scope} exhausted: limit $${toUsd(current.limitMicros)}, spent $${toUsd(current.spentMicros)}, reserved $${toUsd(reserved)}, this call needs up to $${toUsd(micros)}`,
      {
        details: {
          scope,
          limitUsd: toUsd(current.limitMicros),
          spentUsd: toUsd(current.spentMicros),
          reservedUsd: toUsd(reserved),
          requestedUsd: toUsd(micros),
        },
      },
    );
  }
  return { ...current, reservations: { ...current.reservations, [id]: { micros, expiresAt: now + ttlMs } } };
}

/** Replaces the reservation by the actual charge (`actualMicros` 0 and no charge: a release). */
export function closeIn(account: BudgetAccount, id: string, actualMicros: MicroUsd, now: number): BudgetAccount {
  const current = withoutExpired(account, now);
  const { [id]: _closed, ...reservations } = current.reservations;
  return { ...current, spentMicros: current.spentMicros + actualMicros, reservations };
}
