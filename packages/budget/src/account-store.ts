import type { BudgetAccount } from './budget-account.js';

/**
 * Where accounts live. `update` applies `mutate` atomically: in memory trivially, in NATS KV by a
 * revision compare-and-set loop. `mutate` may throw (BUDGET_EXCEEDED) to abandon the update.
 */
export interface AccountStore {
  read(key: string): Promise<BudgetAccount | undefined>;
  update(key: string, mutate: (current: BudgetAccount | undefined) => BudgetAccount): Promise<BudgetAccount>;
  dispose(): Promise<void>;
}
