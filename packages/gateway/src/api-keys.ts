import { createHash } from 'node:crypto';
import { z } from 'zod';
import { GatewayError } from './openai-error.js';

/** One API key: the tenant its requests run as, and what it may spend. */
export const ApiKeyConfig = z.object({
  key: z.string().min(16, 'API keys must be at least 16 characters'),
  tenant: z.string().regex(/^[A-Za-z0-9_-]+$/).default('default'),
  /** USD this key may spend in total (per gateway process); unlimited when absent. */
  budgetUsd: z.number().nonnegative().optional(),
  /** Requests per minute; unlimited when absent. */
  requestsPerMinute: z.number().int().positive().optional(),
});
export type ApiKeyConfig = z.output<typeof ApiKeyConfig>;
export type ApiKeyConfigInput = z.input<typeof ApiKeyConfig>;

/** The caller behind a request, with the budget it has left. */
export interface Caller {
  tenant: string;
  /** USD left to spend; undefined when the key has no budget. */
  remainingUsd: number | undefined;
  /** `x-ratelimit-*` headers for this response. */
  headers: Record<string, string>;
  /** Charges a finished task's cost to the key. */
  charge(costUsd: number): void;
}

interface KeyState {
  config: ApiKeyConfig;
  spentUsd: number;
  windowStart: number;
  windowCount: number;
}

const WINDOW_MS = 60_000;

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * API keys → tenants, budgets and request rates. Only SHA-256 digests are kept, so a heap dump or
 * a log line never holds a key. Over budget or over rate is 429 with OpenAI's `x-ratelimit-*`
 * headers (plus `x-ratelimit-limit-usd` / `-remaining-usd` for budgets).
 */
export class ApiKeys {
  readonly #keys = new Map<string, KeyState>();

  constructor(keys: readonly ApiKeyConfigInput[]) {
    for (const input of keys) {
      const config = ApiKeyConfig.parse(input);
      this.#keys.set(digest(config.key), { config: { ...config, key: '' }, spentUsd: 0, windowStart: 0, windowCount: 0 });
    }
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Authenticates `Authorization: Bearer <key>` and admits one request, or throws 401/429. */
  admit(authorization: string | undefined, now = Date.now()): Caller {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) {
      throw new GatewayError(401, 'missing API key: send "Authorization: Bearer <key>"', 'invalid_request_error', 'invalid_api_key');
    }
    const state = this.#keys.get(digest(match[1]!));
    if (!state) throw new GatewayError(401, 'incorrect API key provided', 'invalid_request_error', 'invalid_api_key');
    const { config } = state;
    if (now - state.windowStart >= WINDOW_MS) {
      state.windowStart = now;
      state.windowCount = 0;
    }
    const headers: Record<string, string> = {};
    if (config.requestsPerMinute !== undefined) {
      const resetMs = Math.max(0, state.windowStart + WINDOW_MS - now);
      headers['x-ratelimit-limit-requests'] = String(config.requestsPerMinute);
      headers['x-ratelimit-remaining-requests'] = String(Math.max(0, config.requestsPerMinute - state.windowCount - 1));
      headers['x-ratelimit-reset-requests'] = `${(resetMs / 1000).toFixed(3)}s`;
      if (state.windowCount >= config.requestsPerMinute) {
        headers['x-ratelimit-remaining-requests'] = '0';
        headers['retry-after'] = String(Math.ceil(resetMs / 1000));
        throw new GatewayError(429, `rate limit reached: ${config.requestsPerMinute} requests per minute for this key`, 'rate_limit_error', 'rate_limit_exceeded', null, headers);
      }
    }
    const remainingUsd = config.budgetUsd === undefined ? undefined : Math.max(0, config.budgetUsd - state.spentUsd);
    if (config.budgetUsd !== undefined) {
      headers['x-ratelimit-limit-usd'] = config.budgetUsd.toFixed(6);
      headers['x-ratelimit-remaining-usd'] = remainingUsd!.toFixed(6);
      if (remainingUsd! <= 0) {
        throw new GatewayError(429, `budget exhausted: this key has spent its $${config.budgetUsd} budget`, 'insufficient_quota', 'insufficient_quota', null, headers);
      }
    }
    state.windowCount += 1;
    return {
      tenant: config.tenant,
      remainingUsd,
      headers,
      charge: (costUsd) => {
        state.spentUsd += costUsd;
      },
    };
  }
}
