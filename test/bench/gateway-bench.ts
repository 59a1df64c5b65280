// bench:gateway — the gateway's added latency over the direct NATS path, side by side in one run:
// (a) the same one-node chat task sent straight over NATS with @troupe/client, (b) through the
// gateway with the official openai client, (c) with a raw fetch, (d) streaming time to first byte,
// then requests per second at 64 concurrent. Instant echo model: what is measured is the door.
import OpenAI from 'openai';
import { parseArgs } from 'node:util';
import { createTroupeClient } from '@troupe/client';
import { ChatCompletionRequest, chatTask, targetOf } from '@troupe/gateway';
import { connectNats } from '@troupe/transport';
import { startGatewayStack } from '../integration/gateway-harness.js';
import { percentile, round } from './stats.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '300' },
    concurrent: { type: 'string', default: '4000' },
    inflight: { type: 'string', default: '64' },
  },
});
const count = Number(values.requests);
const warmup = Number(values.warmup);
const concurrentCount = Number(values.concurrent);
const inFlight = Number(values.inflight);

// No span export and no dashboard: both paths would pay the spans alike, the dashboard is not the door measured here.
const stack = await startGatewayStack({ TROUPE_TRACES: '', TROUPE_DASHBOARD: 'false' });
const connection = await connectNats({ servers: stack.nats.url });
const client = createTroupeClient({ connection, tenant: 'acme', timeoutMs: 30_000 });
const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: stack.keys.main, maxRetries: 0 });
const endpoint = `${stack.url}/v1/chat/completions`;
const headers = { authorization: `Bearer ${stack.keys.main}`, 'content-type': 'application/json' };
const body = (index: number, stream = false) => ({ model: 'echo', messages: [{ role: 'user' as const, content: `bench request ${index}` }], ...(stream ? { stream: true } : {}) });

// The exact task the gateway would send for the same request: the direct path does the same work.
const direct = async (index: number) => {
  const request = ChatCompletionRequest.parse(body(index));
  const result = await client.run(chatTask(request, targetOf('echo'), { taskId: crypto.randomUUID(), skill: 'generate', timeoutMs: 120_000, requestId: `bench-${index}` }));
  if (result.status !== 'completed') throw new Error(`direct task failed: ${JSON.stringify(result.error)}`);
};
const viaOpenAI = async (index: number) => {
  const completion = await openai.chat.completions.create(body(index));
  if (completion.choices[0]?.message.content !== `bench request ${index}`) throw new Error('unexpected answer via openai');
};
const viaFetch = async (index: number) => {
  const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body(index)) });
  const json = (await response.json()) as { choices?: Array<{ message: { content: string } }> };
  if (response.status !== 200 || json.choices?.[0]?.message.content !== `bench request ${index}`) throw new Error(`unexpected answer via fetch: ${response.status}`);
};
/** Time to the first content chunk of a streamed answer (the headers go out with it). */
const streamFirstByte = async (index: number): Promise<number> => {
  const started = performance.now();
  const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body(index, true)) });
  const reader = response.body!.getReader();
  await reader.read();
  const firstByte = performance.now() - started;
  while (!(await reader.read()).done);
  return firstByte;
};

const timed = async (run: (index: number) => Promise<unknown>, index: number) => {
  const started = performance.now();
  await run(index);
  return performance.now() - started;
};

const throughput = async (run: (index: number) => Promise<unknown>, total: number) => {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) await run((next += 1));
    }),
  );
  return round(total / ((performance.now() - started) / 1_000), 0);
};

try {
  for (let index = 0; index < warmup; index += 1) {
    await direct(index);
    await viaFetch(index);
    await viaOpenAI(index);
    await streamFirstByte(index);
  }
  // Interleaved, so drift on a shared machine hits every path alike.
  const samples = { direct: [] as number[], openai: [] as number[], fetch: [] as number[], streamFirstByte: [] as number[] };
  for (let index = 0; index < count; index += 1) {
    samples.direct.push(await timed(direct, index));
    samples.fetch.push(await timed(viaFetch, index));
    samples.openai.push(await timed(viaOpenAI, index));
    samples.streamFirstByte.push(await streamFirstByte(index));
  }
  const stats = (values: number[]) => ({ p50: round(percentile(values, 50)), p99: round(percentile(values, 99)) });
  const directRps = await throughput(direct, concurrentCount);
  const gatewayRps = await throughput(viaFetch, concurrentCount);
  const result = {
    bench: 'gateway',
    processes: 'nats-server + planner + worker + judge + gateway + bench client, each its own process; echo model',
    requests: count,
    latency_ms: {
      direct_nats: stats(samples.direct),
      gateway_raw_fetch: stats(samples.fetch),
      gateway_openai_client: stats(samples.openai),
      gateway_stream_first_byte: stats(samples.streamFirstByte),
    },
    overhead_openai_client_p50_ms: round(percentile(samples.openai, 50) - percentile(samples.direct, 50)),
    [`direct_nats_rps_at_${inFlight}`]: directRps,
    [`gateway_rps_at_${inFlight}`]: gatewayRps,
    // Headline: the gateway's own added latency (raw HTTP client, so the client library is not counted).
    overhead_p50_ms: round(percentile(samples.fetch, 50) - percentile(samples.direct, 50)),
    overhead_p99_ms: round(percentile(samples.fetch, 99) - percentile(samples.direct, 99)),
    requests_per_second: gatewayRps,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await connection.drain();
  await stack.stop();
}
