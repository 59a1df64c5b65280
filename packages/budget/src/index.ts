export { createMemoryBudgetLedger } from './memory-budget-ledger.js';
export { createKvBudgetLedger, type KvBudgetLedgerOptions } from './kv-budget-ledger.js';
export {
  createLedger,
  type BudgetLedger,
  type BudgetLedgerOptions,
  type BudgetSnapshot,
  type Reservation,
  type SettleResult,
} from './budget-ledger.js';
export type { AccountStore } from './account-store.js';
export type { BudgetAccount } from './budget-account.js';
export { scopeKey, taskScope, tenantScope, type BudgetScope } from './budget-scope.js';
export { createBudgetedModel, type BudgetedModelOptions } from './budgeted-model.js';
export { highestPricing } from './highest-pricing.js';
export { estimateInputTokensUpperBound } from './token-estimate.js';
export { savingsUsd, type CostedNode } from './savings.js';
export { toMicroUsd, toUsd, type MicroUsd } from './micro-usd.js';
export type { Logger } from './logger.js';
