import { ErrorCode, TroupeError } from '@troupe/protocol';
import { describe, expect, it } from 'vitest';
import { collectText, scriptedModel } from './__fixtures__/scripted-model.js';
import { createRetryingModel } from './retrying-model.js';
import { createTimeoutModel } from './timeout-model.js';

const ask = { messages: [{ role: 'user' as const, content: 'q' }] };

describe('createTimeoutModel', () => {
  it('answers TIMEOUT at the deadline even when the inner model ignores its signal', async () => {
    const { model, calls } = scriptedModel('p', 'slow', [{ hang: true }]);
    const started = performance.now();
    const error = (await createTimeoutModel(model, 80).doGenerate(ask).catch((thrown) => thrown)) as TroupeError;
    expect(error.code).toBe(ErrorCode.TIMEOUT);
    expect(error.retryable).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(calls[0]!.signal?.aborted).toBe(true);
  });

  it('bounds a whole stream', async () => {
    const { model } = scriptedModel('p', 'slow', [{ hang: true }]);
    const error = (await collectText(createTimeoutModel(model, 50).doStream(ask)).catch((thrown) => thrown)) as TroupeError;
    expect(error.code).toBe(ErrorCode.TIMEOUT);
  });

  it('is per attempt when placed inside a retry', async () => {
    const { model, calls } = scriptedModel('p', 'flaky', [{ hang: true }, { text: 'second attempt' }]);
    const retrying = createRetryingModel(createTimeoutModel(model, 50), { initialDelayMs: 1 });
    expect((await retrying.doGenerate(ask)).text).toBe('second attempt');
    expect(calls).toHaveLength(2);
  });

  it('passes a fast answer through untouched', async () => {
    const { model } = scriptedModel('p', 'fast', [{ text: 'quick' }]);
    expect((await createTimeoutModel(model, 1_000).doGenerate(ask)).text).toBe('quick');
    expect(await collectText(createTimeoutModel(model, 1_000).doStream(ask))).toBe('quick');
  });
});
