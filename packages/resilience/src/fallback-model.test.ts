import { createEchoModel } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { describe, expect, it } from 'vitest';
import { collectText, scriptedModel } from './__fixtures__/scripted-model.js';
import { createFallbackModel } from './fallback-model.js';

const error = (code: ErrorCode) => new TroupeError(code, `failed: ${code}`);
const ask = { messages: [{ role: 'user' as const, content: 'question' }] };

describe('createFallbackModel', () => {
  it('moves on after retryable failures and open breakers, and names every model it tried', async () => {
    const first = scriptedModel('anthropic', 'claude', [{ error: error(ErrorCode.CIRCUIT_OPEN) }]);
    const second = scriptedModel('openai', 'gpt', [{ error: error(ErrorCode.PROVIDER_ERROR) }]);
    const hops: string[] = [];
    const model = createFallbackModel([first.model, second.model, createEchoModel()], { onFallback: ({ to }) => hops.push(to.modelId) });
    expect((await model.doGenerate(ask)).text).toBe('question');
    expect(hops).toEqual(['gpt', 'echo']);
    expect(model.modelId).toBe('anthropic.claude>openai.gpt>echo.echo');
  });

  it('stops at a failure no other model would fix', async () => {
    const first = scriptedModel('anthropic', 'claude', [{ error: error(ErrorCode.AUTH_FAILED) }]);
    const second = scriptedModel('openai', 'gpt', [{ text: 'never' }]);
    const failure = await createFallbackModel([first.model, second.model]).doGenerate(ask).catch((thrown) => thrown);
    expect((failure as TroupeError).code).toBe(ErrorCode.AUTH_FAILED);
    expect(second.calls).toHaveLength(0);
  });

  it('on CONTEXT_OVERFLOW skips to the next model with a larger context window', async () => {
    const small = scriptedModel('anthropic', 'claude', [{ error: error(ErrorCode.CONTEXT_OVERFLOW) }]);
    const smaller = scriptedModel('openai', 'gpt-mini', [{ text: 'too small anyway' }]);
    const large = scriptedModel('gemini', 'pro', [{ text: 'fits' }]);
    const model = createFallbackModel([
      { model: small.model, contextSize: 200_000 },
      { model: smaller.model, contextSize: 128_000 },
      { model: large.model, contextSize: 1_000_000 },
    ]);
    expect((await model.doGenerate(ask)).text).toBe('fits');
    expect(smaller.calls).toHaveLength(0);
  });

  it('throws the last error with details.tried when every model fails', async () => {
    const first = scriptedModel('a', 'one', [{ error: error(ErrorCode.RATE_LIMITED) }]);
    const second = scriptedModel('b', 'two', [{ error: error(ErrorCode.TIMEOUT) }]);
    const failure = (await createFallbackModel([first.model, second.model]).doGenerate(ask).catch((thrown) => thrown)) as TroupeError;
    expect(failure.code).toBe(ErrorCode.TIMEOUT);
    expect(failure.details?.tried).toEqual([
      { provider: 'a', modelId: 'one', code: ErrorCode.RATE_LIMITED },
      { provider: 'b', modelId: 'two', code: ErrorCode.TIMEOUT },
    ]);
  });

  it('falls back a stream that fails before its first part, but not one that already sent text', async () => {
    const early = scriptedModel('a', 'one', [{ error: error(ErrorCode.PROVIDER_ERROR) }]);
    const backup = scriptedModel('b', 'two', [{ text: 'from backup' }]);
    expect(await collectText(createFallbackModel([early.model, backup.model]).doStream(ask))).toBe('from backup');

    const late = scriptedModel('a', 'one', [{ error: error(ErrorCode.PROVIDER_ERROR), afterDeltas: 1 }]);
    const unused = scriptedModel('b', 'two', [{ text: 'never' }]);
    const failure = await collectText(createFallbackModel([late.model, unused.model]).doStream(ask)).catch((thrown) => thrown);
    expect((failure as TroupeError).code).toBe(ErrorCode.PROVIDER_ERROR);
    expect(unused.calls).toHaveLength(0);
  });

  it('does not fall back once the caller has cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const first = scriptedModel('a', 'one', [{ error: error(ErrorCode.PROVIDER_ERROR) }]);
    const second = scriptedModel('b', 'two', [{ text: 'never' }]);
    await createFallbackModel([first.model, second.model]).doGenerate({ ...ask, signal: controller.signal }).catch(() => undefined);
    expect(second.calls).toHaveLength(0);
  });
});
