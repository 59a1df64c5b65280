import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerContract } from './__fixtures__/ledger-contract.js';
import { taskScope } from './budget-scope.js';
import { createKvBudgetLedger } from './kv-budget-ledger.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('NATS KV budget ledger', () => {
  let server: NatsServer;
  let first: NatsConnection;
  let second: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    first = await connect({ servers: server.url });
    second = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await first.drain();
    await second.drain();
    await server.stop();
  });

  // Each handle has its own NATS connection: the only thing they share is the KV bucket.
  ledgerContract(async () => [await createKvBudgetLedger({ connection: first }), await createKvBudgetLedger({ connection: second })]);

  it('never overshoots when two connections and a child process spend from one budget at once', async () => {
    const scope = taskScope(`shared-${process.pid}`);
    const [left, right] = [await createKvBudgetLedger({ connection: first }), await createKvBudgetLedger({ connection: second })];
    await left.setLimit(scope, 0.1);

    const child = spawn(
      process.execPath,
      ['--conditions=@troupe/source', '--import', 'tsx', fileURLToPath(new URL('./__fixtures__/reserve-in-child.ts', import.meta.url)), server.url, 'troupe_budgets', scope.id, '20', '0.003', '0.0025'],
      { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Listen for the exit now: by the time the test waits for it the child may be gone already.
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const nextLine = async () => JSON.parse(((await lines.next()).value as string | undefined) ?? 'null') as Record<string, unknown> | null;
    expect(await nextLine(), errors).toEqual({ ready: true });

    // Go: the child's 20 reservations race the 50 made here over two connections.
    first.publish(`test.${scope.id}.go`);
    const here = Promise.allSettled(Array.from({ length: 50 }, (_, index) => (index % 2 ? left : right).reserve(scope, 0.003)));
    const childReport = await nextLine();
    const held = (await here).flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const childHeld = childReport!.held as number;
    expect(childHeld + (childReport!.refused as string[]).length).toBe(20);
    expect((childReport!.refused as string[]).every((code) => code === 'BUDGET_EXCEEDED')).toBe(true);
    expect(held.length + childHeld).toBe(33);

    first.publish(`test.${scope.id}.settle`);
    await Promise.all(held.map((reservation) => left.settle(reservation, 0.0025)));
    const childSettled = await nextLine();
    expect(await exited, errors).toBe(0);

    const after = await right.snapshot(scope);
    expect(Math.round(after.spentUsd * 1e6)).toBe(held.length * 2_500 + (childSettled!.settledMicros as number));
    expect(after.spentUsd).toBeLessThanOrEqual(0.1);
    expect(after.reservedUsd).toBe(0);
  });
});
