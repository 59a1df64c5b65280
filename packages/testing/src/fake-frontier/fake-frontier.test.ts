import { describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './anthropic-fake.js';
import { startFakeGemini } from './gemini-fake.js';
import { startFakeOpenAI } from './openai-fake.js';

const post = (url: string, headers: Record<string, string>, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('fake frontier APIs', () => {
  it('OpenAI: checks the bearer key, rejects what the real API rejects, and serves the queue in order', async () => {
    await using fake = await startFakeOpenAI({ apiKey: 'sk-right' });
    const url = `${fake.url}/chat/completions`;
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
    const wrongKey = await post(url, { authorization: 'Bearer sk-wrong' }, body);
    expect(wrongKey.status).toBe(401);
    expect(((await wrongKey.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');

    const auth = { authorization: 'Bearer sk-right' };
    const misplaced = await post(url, auth, { ...body, stream_options: { include_usage: true } });
    expect(misplaced.status).toBe(400);
    const loose = { type: 'json_schema', json_schema: { name: 'x', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } } };
    expect((await post(url, auth, { ...body, response_format: loose })).status).toBe(400);

    fake.enqueue({ type: 'reply', text: 'first' }, { type: 'error', error: 'rate-limit', retryAfterSeconds: 7 });
    expect(((await (await post(url, auth, body)).json()) as { choices: [{ message: { content: string } }] }).choices[0].message.content).toBe('first');
    const limited = await post(url, auth, body);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
    expect(fake.requests.map((request) => request.outcome)).toEqual(['auth-failed', 'invalid-request', 'invalid-request', 'reply', 'error']);
  });

  it('OpenAI: adds the usage chunk to a stream only when include_usage asks for it', async () => {
    await using fake = await startFakeOpenAI({ apiKey: 'k' });
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true };
    const without = await (await post(`${fake.url}/chat/completions`, { authorization: 'Bearer k' }, body)).text();
    const withUsage = await (await post(`${fake.url}/chat/completions`, { authorization: 'Bearer k' }, { ...body, stream_options: { include_usage: true } })).text();
    expect(without).not.toContain('"usage"');
    expect(withUsage).toContain('"prompt_tokens":9');
    expect(withUsage.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('Anthropic: requires anthropic-version and max_tokens, and refuses a system role inside messages', async () => {
    await using fake = await startFakeAnthropic({ apiKey: 'sk-ant' });
    const url = `${fake.url}/v1/messages`;
    const body = { model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    expect((await post(url, { 'x-api-key': 'sk-ant' }, body)).status).toBe(400);
    const headers = { 'x-api-key': 'sk-ant', 'anthropic-version': '2023-06-01' };
    const systemRole = await post(url, headers, { ...body, messages: [{ role: 'system', content: 'x' }, ...body.messages] });
    expect(((await systemRole.json()) as { error: { message: string } }).error.message).toContain('top-level `system` parameter');
    expect((await post(url, headers, { ...body, max_tokens: undefined })).status).toBe(400);
    const stream = await (await post(url, headers, { ...body, stream: true })).text();
    expect(stream).toMatch(/^event: message_start\n/);
    expect(stream.trimEnd().endsWith('event: message_stop\ndata: {"type":"message_stop"}')).toBe(true);
    fake.enqueue({ type: 'error', error: 'overloaded' });
    expect((await post(url, headers, body)).status).toBe(529);
  });

  it('Gemini: takes the key as header or ?key=, answers a bad key with 400 API_KEY_INVALID, streams only as SSE', async () => {
    await using fake = await startFakeGemini({ apiKey: 'g-key' });
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    const generate = `${fake.url}/v1beta/models/gemini-2.5-flash:generateContent`;
    expect((await post(`${generate}?key=g-key`, {}, body)).status).toBe(200);
    const bad = await post(generate, { 'x-goog-api-key': 'nope' }, body);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('API_KEY_INVALID');
    const stream = `${fake.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`;
    expect((await post(stream, { 'x-goog-api-key': 'g-key' }, body)).status).toBe(400);
    const sse = await (await post(`${stream}?alt=sse`, { 'x-goog-api-key': 'g-key' }, body)).text();
    expect(sse.split('\r\n\r\n').filter(Boolean)).toHaveLength(3);
    expect((await post(generate, { 'x-goog-api-key': 'g-key' }, { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] })).status).toBe(400);
  });

  it('closes a hanging request when the server closes', async () => {
    const fake = await startFakeOpenAI({ apiKey: 'k' });
    fake.enqueue({ type: 'hang' });
    const pending = post(`${fake.url}/chat/completions`, { authorization: 'Bearer k' }, { model: 'm', messages: [{ role: 'user', content: 'x' }] }).then(
      () => 'answered',
      () => 'closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await fake.close();
    expect(await pending).toBe('closed');
  });
});
