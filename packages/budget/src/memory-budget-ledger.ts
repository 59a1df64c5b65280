import type { AccountStore } from './account-store.js';
import type { BudgetAccount } from './budget-account.js';
import { createLedger, type BudgetLedger, type BudgetLedgerOptions } from './budget-ledger.js';

/** A ledger for one process. Each update runs synchronously, so concurrent calls cannot interleave inside it. */
export function createMemoryBudgetLedger(options: BudgetLedgerOptions = {}): BudgetLedger {
  const accounts = new Map<string, BudgetAccount>();
  const store: AccountStore = {
    async read(key) {
      const account = accounts.get(key);
      return account && structuredClone(account);
    },
    async update(key, mutate) {
      const next = mutate(accounts.get(key) && structuredClone(accounts.get(key)!));
      accounts.set(key, next);
      return structuredClone(next);
    },
    async dispose() {
      accounts.clear();
    },
  };
  return createLedger(store, options);
}
