import { ErrorCode, TroupeError } from '@troupe/protocol';
import { expect, it } from 'vitest';
import type { BudgetLedger, Reservation } from '../budget-ledger.js';
import { taskScope, tenantScope } from '../budget-scope.js';

/** Two handles on one budget store: the same ledger twice in memory, two NATS connections for KV. */
export type LedgerPair = () => Promise<[BudgetLedger, BudgetLedger]>;

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${(counter += 1)}`;

/** The behaviour every BudgetLedger must have; registered by each implementation's test file. */
export function ledgerContract(pair: LedgerPair): void {
  it('admits exactly as many of 50 concurrent reservations as the limit holds, never a cent more', async () => {
    const [left, right] = await pair();
    const scope = taskScope(unique('task'));
    await left.setLimit(scope, 0.1);
    // $0.003 each: 33 fit in $0.10 (33 × 3,000 = 99,000 µ$), the 34th would not.
    const attempts = Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? left : right).reserve(scope, 0.003));
    const outcomes = await Promise.allSettled(attempts);
    const held = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as TroupeError] : []));
    expect(held).toHaveLength(33);
    expect(refused.every((error) => error.code === ErrorCode.BUDGET_EXCEEDED)).toBe(true);
    expect(refused[0]!.details).toMatchObject({ scope: `task:${scope.id}`, limitUsd: 0.1, requestedUsd: 0.003 });
    expect((await right.snapshot(scope)).reservedUsd).toBeCloseTo(0.099, 9);

    const actual = held.map((_, index) => 0.002 + index * 0.00001);
    await Promise.all(held.map((reservation, index) => (index % 2 === 0 ? right : left).settle(reservation, actual[index]!)));
    const after = await left.snapshot(scope);
    const expectedMicros = actual.reduce((sum, cost) => sum + Math.round(cost * 1e6), 0);
    expect(Math.round(after.spentUsd * 1e6)).toBe(expectedMicros);
    expect(after.spentUsd).toBeLessThanOrEqual(0.1);
    expect(after.reservedUsd).toBe(0);
  });

  it('keeps spent + reserved under the limit while 50 calls reserve, run and settle interleaved', async () => {
    const [left, right] = await pair();
    const scope = tenantScope(unique('tenant'));
    await right.setLimit(scope, 0.2);
    let settledMicros = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, async (_, index) => {
        const ledger = index % 2 === 0 ? left : right;
        const reservation = await ledger.reserve(scope, 0.01);
        await new Promise((resolve) => setTimeout(resolve, (index * 7) % 20));
        const snapshot = await ledger.snapshot(scope);
        expect(snapshot.spentUsd + snapshot.reservedUsd).toBeLessThanOrEqual(0.2 + 1e-9);
        const cost = 0.004 + (index % 5) * 0.001;
        await ledger.settle(reservation, cost);
        settledMicros += Math.round(cost * 1e6);
      }),
    );
    expect(results.filter((result) => result.status === 'fulfilled').length).toBeGreaterThanOrEqual(20);
    const after = await left.snapshot(scope);
    expect(Math.round(after.spentUsd * 1e6)).toBe(settledMicros);
    expect(after.spentUsd).toBeLessThanOrEqual(0.2);
  });

  it('holds task and tenant together, and gives the tenant hold back when the task is out of money', async () => {
    const [left, right] = await pair();
    const tenant = tenantScope(unique('tenant'));
    const rich = taskScope(unique('task'));
    const poor = taskScope(unique('task'));
    await left.setLimit(tenant, 1);
    await left.setLimit(poor, 0.05);
    const held = await left.reserve([tenant, rich], 0.4);
    expect((await right.snapshot(tenant)).reservedUsd).toBeCloseTo(0.4, 9);
    const refused = (await right.reserve([tenant, poor], 0.1).catch((error: unknown) => error)) as TroupeError;
    expect(refused.details?.scope).toBe(`task:${poor.id}`);
    expect((await right.snapshot(tenant)).reservedUsd).toBeCloseTo(0.4, 9);
    await right.release(held);
    expect(await left.snapshot(tenant)).toMatchObject({ spentUsd: 0, reservedUsd: 0, remainingUsd: 1 });
  });

  it('adds up in integer micro-dollars: ten $0.10 charges are exactly $1.00', async () => {
    const [left] = await pair();
    const scope = taskScope(unique('task'));
    await left.setLimit(scope, 1);
    for (let index = 0; index < 10; index += 1) await left.settle(await left.reserve(scope, 0.1), 0.1);
    expect(await left.snapshot(scope)).toMatchObject({ spentUsd: 1, reservedUsd: 0, remainingUsd: 0 });
    const refused = (await left.reserve(scope, 0.000001).catch((error: unknown) => error)) as TroupeError;
    expect(refused.code).toBe(ErrorCode.BUDGET_EXCEEDED);
  });

  it('settles and releases each reservation once, however often it is asked', async () => {
    const [left] = await pair();
    const scope = taskScope(unique('task'));
    const reservation: Reservation = await left.reserve(scope, 0.5);
    await left.settle(reservation, 0.2);
    await left.settle(reservation, 0.2);
    await left.release(reservation);
    expect(await left.snapshot(scope)).toMatchObject({ spentUsd: 0.2, reservedUsd: 0, limitUsd: null, remainingUsd: null });
  });
}
