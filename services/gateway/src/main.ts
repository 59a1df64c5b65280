// The gateway service: OpenAI-compatible HTTP and MCP over HTTP in front of Troupe, over NATS only.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ApiKeyConfig, createGateway, type MountedHandler } from '@troupe/gateway';
import { createDashboard, isLoopback } from '@troupe/dashboard';
import { CommonEnv, runService } from '@troupe/service-common';

const Env = CommonEnv.extend({
  TROUPE_GATEWAY_HOST: z.string().default('127.0.0.1'),
  TROUPE_GATEWAY_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** JSON array `[{ "key": "...", "tenant": "acme", "budgetUsd": 5, "requestsPerMinute": 600 }]`; a secret. */
  TROUPE_GATEWAY_KEYS: z.string().optional(),
  /** The same JSON in a file (preferred: keeps keys out of the process environment listing). */
  TROUPE_GATEWAY_KEYS_FILE: z.string().optional(),
  /** Skill the one-node chat tasks run as; a skill your workers serve. */
  TROUPE_GATEWAY_CHAT_SKILL: z.string().default('generate'),
  TROUPE_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  TROUPE_GATEWAY_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Operator token for /dashboard (every tenant); required when the gateway listens beyond 127.0.0.1. A secret. */
  TROUPE_DASHBOARD_TOKEN: z.string().min(16).optional(),
  /** Trace link on the dashboard, `{traceId}` replaced (e.g. `http://127.0.0.1:16686/trace/{traceId}`). */
  TROUPE_TRACE_URL: z.string().optional(),
  /** `false`: no /dashboard. */
  TROUPE_DASHBOARD: z.enum(['true', 'false']).default('true'),
});

await runService({
  name: 'troupe-gateway',
  envSchema: Env,
  async start({ env, logger, connection }) {
    const raw = env.TROUPE_GATEWAY_KEYS_FILE ? readFileSync(env.TROUPE_GATEWAY_KEYS_FILE, 'utf8') : env.TROUPE_GATEWAY_KEYS;
    let keys = raw ? z.array(ApiKeyConfig).min(1).parse(JSON.parse(raw)) : [];
    if (keys.length === 0) {
      // No keys configured: one key for this run, printed once on stdout (never logged), tenant "default".
      const key = `sk-troupe-${randomBytes(24).toString('base64url')}`;
      keys = [ApiKeyConfig.parse({ key })];
      process.stdout.write(`TROUPE_GATEWAY_KEY ${key}\n`);
      logger.warn('no TROUPE_GATEWAY_KEYS: generated one key for tenant "default" (printed on stdout)');
    }
    // ── Extra HTTP handlers: mount them here (e.g. the dashboard under /dashboard). ──
    const handlers: MountedHandler[] = [];
    const disposables: Array<{ [Symbol.asyncDispose](): Promise<void> }> = [];
    if (env.TROUPE_DASHBOARD === 'true') {
      // The gateway's API keys double as tenant keys: each sees only its tenant's tasks on /dashboard.
      const dashboard = createDashboard({
        connection,
        logger,
        requireToken: !isLoopback(env.TROUPE_GATEWAY_HOST),
        tenantKeys: Object.fromEntries(keys.map((entry) => [entry.key, entry.tenant])),
        ...(env.TROUPE_DASHBOARD_TOKEN ? { token: env.TROUPE_DASHBOARD_TOKEN } : {}),
        ...(env.TROUPE_TRACE_URL ? { traceUrl: env.TROUPE_TRACE_URL } : {}),
      });
      handlers.push(dashboard);
      disposables.push(dashboard);
    }
    const gateway = createGateway({
      connection,
      keys,
      logger,
      handlers,
      chatSkill: env.TROUPE_GATEWAY_CHAT_SKILL,
      timeoutMs: env.TROUPE_GATEWAY_TIMEOUT_MS,
      maxBodyBytes: env.TROUPE_GATEWAY_MAX_BODY_BYTES,
    });
    const url = await gateway.listen(env.TROUPE_GATEWAY_PORT, env.TROUPE_GATEWAY_HOST);
    logger.info({ url, keys: keys.length }, 'gateway listening');
    process.stdout.write(`TROUPE_GATEWAY_URL ${url}\n`);
    if (env.TROUPE_DASHBOARD === 'true') process.stdout.write(`TROUPE_DASHBOARD_URL ${url.replace(/\/$/, '')}/dashboard/\n`);
    return {
      stop: async () => {
        await gateway.close();
        for (const disposable of disposables) await disposable[Symbol.asyncDispose]();
      },
    };
  },
});
