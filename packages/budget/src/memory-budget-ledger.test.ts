import { describe, expect, it } from 'vitest';
import { ledgerContract } from './__fixtures__/ledger-contract.js';
import { taskScope } from './budget-scope.js';
import { createMemoryBudgetLedger } from './memory-budget-ledger.js';

describe('memory budget ledger', () => {
  ledgerContract(async () => {
    const ledger = createMemoryBudgetLedger();
    return [ledger, ledger];
  });

  it('lets a reservation that nobody settles lapse after its TTL', async () => {
    let now = 0;
    const ledger = createMemoryBudgetLedger({ reservationTtlMs: 1_000, now: () => now });
    const scope = taskScope('crashed-worker');
    await ledger.setLimit(scope, 0.01);
    await ledger.reserve(scope, 0.01);
    await expect(ledger.reserve(scope, 0.01)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    now = 1_001;
    await expect(ledger.reserve(scope, 0.01)).resolves.toMatchObject({ amountMicros: 10_000 });
  });

  it('rounds reservations up and refuses nonsense amounts', async () => {
    const ledger = createMemoryBudgetLedger();
    expect((await ledger.reserve(taskScope('t'), 0.0000001)).amountMicros).toBe(1);
    await expect(ledger.reserve(taskScope('t'), -1)).rejects.toThrow(RangeError);
  });
});
