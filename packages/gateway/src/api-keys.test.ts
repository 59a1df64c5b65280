import { describe, expect, it } from 'vitest';
import { ApiKeys } from './api-keys.js';
import { GatewayError } from './openai-error.js';

const key = 'sk-unit-test-key-0123456789';

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('ApiKeys', () => {
  it('maps a bearer key to its tenant and refuses missing or unknown keys with 401', () => {
    const keys = new ApiKeys([{ key, tenant: 'acme' }]);
    expect(keys.admit(`Bearer ${key}`).tenant).toBe('acme');
    expect(refusal(() => keys.admit(undefined))).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(refusal(() => keys.admit('Bearer sk-someone-else-0123456789'))).toMatchObject({ status: 401, message: 'incorrect API key provided' });
  });

  it('counts requests per minute and refuses the one over the limit with 429 and x-ratelimit-* headers', () => {
    const keys = new ApiKeys([{ key, requestsPerMinute: 2 }]);
    const now = 1_000_000;
    expect(keys.admit(`Bearer ${key}`, now).headers['x-ratelimit-remaining-requests']).toBe('1');
    expect(keys.admit(`Bearer ${key}`, now + 1).headers['x-ratelimit-remaining-requests']).toBe('0');
    const limited = refusal(() => keys.admit(`Bearer ${key}`, now + 2));
    expect(limited).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(limited.headers).toMatchObject({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '0', 'retry-after': '60' });
    // A new minute, a new window.
    expect(keys.admit(`Bearer ${key}`, now + 60_000).tenant).toBe('default');
  });

  it('charges task costs against the budget and refuses once it is spent', () => {
    const keys = new ApiKeys([{ key, budgetUsd: 0.01 }]);
    const caller = keys.admit(`Bearer ${key}`);
    expect(caller.remainingUsd).toBe(0.01);
    caller.charge(0.004);
    expect(keys.admit(`Bearer ${key}`).headers['x-ratelimit-remaining-usd']).toBe('0.006000');
    caller.charge(0.01);
    expect(refusal(() => keys.admit(`Bearer ${key}`))).toMatchObject({ status: 429, code: 'insufficient_quota' });
  });

  it('keeps no key in memory, only digests', () => {
    const keys = new ApiKeys([{ key }]);
    expect(JSON.stringify([...Object.values(keys)])).not.toContain(key);
    expect(keys.size).toBe(1);
  });
});
