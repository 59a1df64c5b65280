import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayStack, type GatewayStack } from './gateway-harness.js';

describe('the gateway as its own process, driven by the official openai client and curl', () => {
  let stack: GatewayStack;
  let openai: OpenAI;

  beforeAll(async () => {
    stack = await startGatewayStack();
    openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: stack.keys.main, maxRetries: 0 });
  }, 240_000);

  afterAll(async () => {
    const codes = await stack?.stop();
    expect(codes).toEqual([0, 0, 0, 0]);
  });

  it('answers a chat completion as a judged, costed Troupe task with the x-troupe-* headers', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'echo', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello, Troupe' }], max_tokens: 64, temperature: 0.2, user: 'u-42' })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello, Troupe' });
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.model).toBe('echo');
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(response.headers.get('x-troupe-task-id')).toBe(data.id.replace('chatcmpl-', ''));
    expect(response.headers.get('x-troupe-cost-usd')).toBe('0.000000');
    expect(response.headers.get('x-troupe-model')).toBe('echo');
  });

  it('streams SSE chunks with the final usage chunk only when asked', async () => {
    const stream = await openai.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'stream me' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('stream me');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);

    const plain = await openai.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'no usage' }], stream: true });
    const plainChunks = [];
    for await (const chunk of plain) plainChunks.push(chunk);
    expect(plainChunks.every((chunk) => !chunk.usage)).toBe(true);
  });

  it('relays tokens live: a real GGUF model streams several content chunks, not one chunk at the end', async () => {
    const stream = await openai.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: 'Once upon a time' }], stream: true, max_tokens: 24 });
    const contents: string[] = [];
    // The judge may still reject a 260k-parameter model's story: then the stream ends with an error chunk.
    await (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) contents.push(chunk.choices[0].delta.content);
    })().catch((error: unknown) => expect(error).toBeInstanceOf(OpenAI.APIError));
    expect(contents.length).toBeGreaterThan(1);
  }, 60_000);

  it('enforces response_format json_schema and json_object', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, refund: { type: 'boolean' } }, required: ['city', 'refund'], additionalProperties: false };
    const completion = await openai.chat.completions.create({
      model: 'echo',
      messages: [{ role: 'user', content: 'Ada from Paris wants a refund' }],
      response_format: { type: 'json_schema', json_schema: { name: 'ticket', schema, strict: true } },
    });
    const parsed = JSON.parse(completion.choices[0]!.message.content!) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['city', 'refund']);
    expect(typeof parsed.refund).toBe('boolean');
    const object = await openai.chat.completions.create({ model: 'faq', messages: [{ role: 'user', content: 'refund as json please' }], response_format: { type: 'json_object' } });
    expect(JSON.parse(object.choices[0]!.message.content!)).toEqual({ reply: 'Refunds take 5 days.' });
  });

  it('returns tool calls for tools + tool_choice, in the non-streamed and streamed shapes', async () => {
    const tools = [
      { type: 'function' as const, function: { name: 'lookup_order', description: 'Find an order', parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] } } },
    ];
    const completion = await openai.chat.completions.create({
      model: 'echo',
      messages: [{ role: 'user', content: 'A-17' }],
      tools,
      tool_choice: { type: 'function', function: { name: 'lookup_order' } },
    });
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && call.function.name).toBe('lookup_order');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toHaveProperty('order_id');

    const stream = openai.chat.completions.stream({ model: 'echo', messages: [{ role: 'user', content: 'A-18' }], tools, tool_choice: 'required' });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'lookup_order' } });
  });

  it('lists troupe/auto, the pipelines and the served models; runs through auto and a pipeline', async () => {
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['troupe/auto', 'troupe/pipeline/echo-pipe', 'echo', 'faq']));
    const auto = await openai.chat.completions.create({ model: 'troupe/auto', messages: [{ role: 'user', content: 'routed' }] });
    expect(auto.choices[0]!.message.content).toBe('routed');
    const piped = await openai.chat.completions.create({ model: 'troupe/pipeline/echo-pipe', messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'piped' }] });
    // The pipeline's node got the last user message as the task input (echo shows what it was given).
    expect(piped.choices[0]!.message.content).toContain('"task":"piped"');
    const stopped = await openai.chat.completions.create({ model: 'faq', messages: [{ role: 'user', content: 'refund?' }], stop: [' 5'] });
    expect(stopped.choices[0]!.message.content).toBe('Refunds take');
  });

  it('refuses missing and wrong keys with 401, and over-budget or over-rate keys with 429 and x-ratelimit-* headers', async () => {
    const noKey = await fetch(`${stack.url}/v1/models`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key', message: expect.stringContaining('Authorization') } });
    const wrong = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'sk-wrong-key-0123456789abcdef', maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });

    const broke = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: stack.keys.tight, maxRetries: 0 });
    const overBudget = await broke.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(overBudget).toBeInstanceOf(OpenAI.RateLimitError);
    expect((overBudget as InstanceType<typeof OpenAI.RateLimitError>).headers.get('x-ratelimit-remaining-usd')).toBe('0.000000');

    const headers = { authorization: `Bearer ${stack.keys.slow}` };
    const statuses = [];
    let last: Response | undefined;
    for (let index = 0; index < 3; index += 1) {
      last = await fetch(`${stack.url}/v1/models`, { headers });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(last!.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(last!.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(last!.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+\.\d+s$/);
    expect(await last!.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
  });

  it('answers bad input with a 4xx that says what to fix, and stays up', async () => {
    const post = (body: string) => fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.keys.main}`, 'content-type': 'application/json' }, body });
    const cases: Array<[string, number, RegExp]> = [
      ['{"model": "echo", "messages": [', 400, /not valid JSON/],
      [JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }), 404, /does not exist.*troupe\/auto/],
      [JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] }), 413, /larger than/],
      [JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 's', schema: 'nope' } } }), 400, /json_schema\.schema/],
      [JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'x' }], n: 2 }), 400, /n > 1 is not supported/],
      [JSON.stringify({ model: 'echo', messages: [] }), 400, /messages/],
      [JSON.stringify({ model: 'troupe/pipeline/nope', messages: [{ role: 'user', content: 'x' }] }), 404, /no pipeline named "nope"/],
    ];
    for (const [body, status, message] of cases) {
      const response = await post(body);
      const error = ((await response.json()) as { error: { message: string; type: string } }).error;
      expect([response.status, error.message]).toEqual([status, expect.stringMatching(message)]);
      expect(error.type).toBeTypeOf('string');
    }
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
  });

  it('sends raw SSE bytes that curl sees: data lines, then [DONE]', () => {
    const body = JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'curl me' }], stream: true });
    const curl = spawnSync('curl', ['-sN', '-D', '-', `${stack.url}/v1/chat/completions`, '-H', `Authorization: Bearer ${stack.keys.main}`, '-H', 'Content-Type: application/json', '-d', body], { encoding: 'utf8', timeout: 15_000 });
    expect(curl.status).toBe(0);
    const [head, payload] = curl.stdout.split('\r\n\r\n', 2) as [string, string];
    expect(head).toMatch(/content-type: text\/event-stream/i);
    expect(head).toMatch(/x-troupe-task-id: [0-9a-f-]{36}/i);
    // curl prints the HTTP trailers (cost, model) after the body.
    expect(payload).toMatch(/x-troupe-cost-usd: 0\.000000/i);
    const events = payload.split('\n\n').filter((event) => event.startsWith('data: '));
    expect(events.at(-1)).toMatch(/^data: \[DONE\]/);
    const deltas = events.slice(0, -1).map((event) => JSON.parse(event.replace(/^data: /, '')) as { object: string; choices: Array<{ delta: { content?: string } }> });
    expect(deltas.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(deltas.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('curl me');
  });

  it('ends a stream that fails mid-way with the chunks so far and then an error chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'echo',
      messages: [{ role: 'user', content: 'here are the launch codes' }],
      stream: true,
      troupe: { checks: ['policy'] },
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    const received: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((error: unknown) => error);
    expect(received.join('')).toBe('here are the launch codes');
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as Error).message).toMatch(/judge rejected the answer: policy.*never reveal launch codes/);
  });

  it('traces a gateway request as one trace across gateway, planner, worker and judge', async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const spans = readFileSync(stack.traces, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { name: string; traceId: string; service: string });
    const fromGateway = spans.find((span) => span.service === 'troupe-gateway' && span.name === 'troupe.client.run');
    expect(fromGateway).toBeDefined();
    const services = new Set(spans.filter((span) => span.traceId === fromGateway!.traceId).map((span) => span.service));
    expect(services).toEqual(new Set(['troupe-gateway', 'troupe-planner', 'troupe-worker', 'troupe-judge']));
  });
});
