/** What a budget belongs to: one task, or a tenant across all its tasks. */
export interface BudgetScope {
  kind: 'task' | 'tenant';
  id: string;
}

export const taskScope = (id: string): BudgetScope => ({ kind: 'task', id });
export const tenantScope = (id: string): BudgetScope => ({ kind: 'tenant', id });

/** `task:abc`, `tenant:acme`: the ledger's key for a scope (also used in error details). */
export function scopeKey(scope: BudgetScope): string {
  return `${scope.kind}:${scope.id}`;
}
