// npm run fuzz [-- --messages 10000 --seed 1 --concurrency 32]: hostile messages (random bytes,
// invalid UTF-8, truncated and deeply nested JSON, huge strings, wrong types and schemas,
// prototype-pollution keys, empty payloads, raw malformed headers, no reply subject) on every
// subject the planner, worker and judge processes serve. Prints one JSON line last; exits 1 if
// a service died, a case went unanswered or an answer was not a typed error.
import { parseArgs } from 'node:util';
import { createTroupeClient } from '@troupe/client';
import { Header, subjects } from '@troupe/protocol';
import { connectNats } from '@troupe/transport';
import { startEchoCluster } from './echo-cluster.js';
import { FUZZ_TENANT, generateFuzzCases } from './fuzz-cases.js';
import { runFuzz } from './fuzz-harness.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '32' },
  },
});
const count = Number(values.messages);
const seed = Number(values.seed);

const cluster = await startEchoCluster();
const connection = await connectNats({ servers: cluster.server.url });
let exitCode = 0;
try {
  const cases = generateFuzzCases(count, seed);
  const outcome = await runFuzz({ connection, port: cluster.server.port, cases, concurrency: Number(values.concurrency) });

  // The services must still do real work afterwards: a one-node task, a three-node chain, and a
  // valid task whose input is nested 10,000 deep (typed failure allowed, silence or death not).
  const client = createTroupeClient({ connection, tenant: FUZZ_TENANT, timeoutMs: 30_000 });
  const statusOf = (pipeline: string, input: unknown) =>
    client.run({ pipeline, input }).then(
      (result) => result.status,
      (error: { code?: string }) => `error ${error.code ?? 'unknown'}`,
    );
  const single = await statusOf('noop', 'after the fuzz');
  const chain = await statusOf('noop-chain', 'after the fuzz');
  // Built as text: JSON.stringify itself overflows the stack at this depth, JSON.parse does not.
  const deepTask = `{"pipeline":"noop","input":${'['.repeat(10_000)}1${']'.repeat(10_000)}}`;
  const deep = await connection.request(subjects.taskRun(FUZZ_TENANT), new TextEncoder().encode(deepTask), { timeout: 30_000 }).then(
    (message) => {
      const body = JSON.parse(new TextDecoder().decode(message.data)) as { status?: string; code?: string; error?: { code: string } };
      return message.headers?.get(Header.serviceErrorCode) ? `error reply ${body.code}` : `${body.status}${body.error ? ` ${body.error.code}` : ''}`;
    },
    (error: Error) => `no reply: ${error.message}`,
  );
  const final = await statusOf('noop', 'still up');

  const exits = cluster.unexpectedExits();
  const alive = cluster.services.filter((service) => service.process.exitCode === null && service.process.signalCode === null).length;
  const valid_task_after = single === 'completed' && chain === 'completed' && final === 'completed';
  for (const exit of exits) process.stderr.write(`${exit.name} exited (code ${exit.code}, signal ${exit.signal}):\n${exit.logs.slice(-4_000)}\n`);
  for (const failure of outcome.failures) process.stderr.write(`case ${failure.index} ${failure.kind} on ${failure.subject}: ${failure.problem}\n`);
  const ok = exits.length === 0 && outcome.timeouts === 0 && outcome.typed_error_replies_pct === 100 && valid_task_after;
  exitCode = ok ? 0 : 1;
  const result = {
    bench: 'fuzz',
    seed,
    messages: outcome.messages,
    with_reply: outcome.with_reply,
    no_reply: outcome.no_reply,
    crashes: exits.length,
    services_alive: alive,
    typed_error_replies_pct: outcome.typed_error_replies_pct,
    untyped_replies: outcome.untyped_replies,
    no_responders: outcome.no_responders,
    timeouts: outcome.timeouts,
    status_mismatches: outcome.status_mismatches,
    largest_error_reply_bytes: outcome.largest_error_reply_bytes,
    codes: outcome.codes,
    valid_task_after,
    deep_input_task: deep,
    duration_s: outcome.duration_s,
    messages_per_second: Math.round(outcome.messages / outcome.duration_s),
    ok,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await connection.drain();
  await cluster.stop();
}
process.exit(exitCode);
