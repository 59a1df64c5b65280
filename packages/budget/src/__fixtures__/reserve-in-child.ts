// Run as a separate process by kv-budget-ledger.test.ts: a third process spending from one budget.
import { connect } from '@nats-io/transport-node';
import { createKvBudgetLedger } from '../kv-budget-ledger.js';
import { taskScope } from '../budget-scope.js';
import type { Reservation } from '../budget-ledger.js';

const [url, bucket, scopeId, count, amount, actual] = process.argv.slice(2);
const connection = await connect({ servers: url! });
const ledger = await createKvBudgetLedger({ connection, bucket: bucket! });
const scope = taskScope(scopeId!);
const say = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

const go = connection.subscribe(`test.${scopeId}.go`, { max: 1 });
const settle = connection.subscribe(`test.${scopeId}.settle`, { max: 1 });
await connection.flush();
say({ ready: true });

for await (const _message of go) {
  const outcomes = await Promise.allSettled(Array.from({ length: Number(count) }, () => ledger.reserve(scope, Number(amount))));
  const held = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : [])) as Reservation[];
  const refused = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason.code);
  say({ held: held.length, refused });
  for await (const _settle of settle) {
    await Promise.all(held.map((reservation) => ledger.settle(reservation, Number(actual))));
    say({ settledMicros: held.length * Math.round(Number(actual) * 1e6) });
  }
}
await ledger.dispose();
await connection.drain();
