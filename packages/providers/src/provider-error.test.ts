import { ErrorCode, TroupeError } from '@troupe/protocol';
import { describe, expect, it } from 'vitest';
import { openCallScope } from './call-scope.js';
import { toProviderError } from './provider-error.js';
import { redactSecrets } from './redact.js';
import { retryAfterMsFromHeaders, retryAfterMsFromRetryInfo } from './retry-after.js';

const context = (secrets: string[] = []) => ({ provider: 'p', modelId: 'm', secrets, scope: openCallScope(undefined, undefined) });

describe('retry-after parsing', () => {
  it('reads retry-after-ms first, then retry-after seconds, then an HTTP date', () => {
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after-ms': '250.4', 'retry-after': '9' }))).toBe(251);
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after': '1.5' }))).toBe(1_500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }), now)).toBe(7_000);
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMsFromHeaders(undefined)).toBeUndefined();
  });

  it("reads Gemini's RetryInfo retryDelay from the error details", () => {
    expect(retryAfterMsFromRetryInfo([{ '@type': 'type.googleapis.com/google.rpc.Help' }, { retryDelay: '12.5s' }])).toBe(12_500);
    expect(retryAfterMsFromRetryInfo(undefined)).toBeUndefined();
  });
});

describe('redactSecrets', () => {
  it('removes the key and masked fragments of it, leaving other text alone', () => {
    const key = 'sk-proj-abcdefghijklmnop1234';
    expect(redactSecrets(`bad key ${key}!`, [key])).toBe('bad key [REDACTED]!');
    expect(redactSecrets('Incorrect API key provided: sk-proj-abc****************1234.', [key])).toBe(
      'Incorrect API key provided: [REDACTED]****************1234.',
    );
    expect(redactSecrets('nothing secret here', [key])).toBe('nothing secret here');
  });
});

describe('toProviderError', () => {
  it("maps Gemini's body-only 429 with RetryInfo to RATE_LIMITED with retryAfterMs", () => {
    const body = { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'quota', details: [{ retryDelay: '3s' }] } };
    const error = toProviderError(Object.assign(new Error(JSON.stringify(body)), { name: 'ApiError', status: 429 }), context());
    expect(error.code).toBe(ErrorCode.RATE_LIMITED);
    expect(error.details).toMatchObject({ retryAfterMs: 3_000, providerType: 'RESOURCE_EXHAUSTED' });
  });

  it('keeps 408 and 409 retryable and other 4xx final', () => {
    expect(toProviderError({ status: 408, message: 'timeout' }, context()).retryable).toBe(true);
    expect(toProviderError({ status: 409, message: 'conflict' }, context()).retryable).toBe(true);
    const rejected = toProviderError({ status: 422, message: 'bad field' }, context());
    expect([rejected.code, rejected.retryable]).toEqual([ErrorCode.PROVIDER_ERROR, false]);
    expect(toProviderError({ status: 404, message: 'no such model' }, context()).code).toBe(ErrorCode.MODEL_NOT_FOUND);
  });

  it('classifies by what our scope saw: the deadline wins over the SDK abort error', async () => {
    const scope = openCallScope(undefined, 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const error = toProviderError(Object.assign(new Error('Request was aborted.'), { name: 'APIUserAbortError' }), { ...context(), scope });
    scope.close();
    expect(error.code).toBe(ErrorCode.TIMEOUT);
  });

  it('passes TroupeErrors through and redacts the kept cause', () => {
    const typed = new TroupeError(ErrorCode.OUTPUT_INVALID, 'x');
    expect(toProviderError(typed, context())).toBe(typed);
    const error = toProviderError({ status: 401, message: 'key sk-secret-value-123 rejected' }, context(['sk-secret-value-123']));
    expect(error.code).toBe(ErrorCode.AUTH_FAILED);
    expect(String((error.cause as Error).message)).not.toContain('sk-secret-value-123');
  });

  it('refuses to start a call whose signal is already aborted', () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => openCallScope(controller.signal, 100)).toThrow(expect.objectContaining({ code: ErrorCode.CANCELLED }));
  });
});
