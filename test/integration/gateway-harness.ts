import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchService, type LaunchedService } from '@troupe/cli';
import { freePort, startNatsServer, type NatsServer } from '@troupe/testing';

export interface GatewayStack {
  nats: NatsServer;
  /** `http://127.0.0.1:<port>` of the gateway process. */
  url: string;
  /** Keys the gateway accepts: `main` (tenant acme, no limits), `tight` (a tiny budget), `slow` (2 requests/minute). */
  keys: { main: string; tight: string; slow: string };
  services: LaunchedService[];
  traces: string;
  stop(): Promise<Array<number | null>>;
}

/**
 * NATS + judge + worker + planner + gateway, each its own process, with instant echo and template
 * models: the gateway tests measure the HTTP/MCP door, not a model.
 */
export async function startGatewayStack(extraEnv: NodeJS.ProcessEnv = {}): Promise<GatewayStack> {
  const directory = mkdtempSync(join(tmpdir(), 'troupe-gateway-'));
  const registry = join(directory, 'models.json');
  writeFileSync(
    registry,
    JSON.stringify({
      models: [
        // The router (troupe/auto) should prefer the instant echo over the tiny GGUF.
        { id: 'echo', provider: 'echo', qualityPrior: 0.9 },
        // A real GGUF that streams token by token (from TROUPE_MODELS_DIR), for the live-streaming test.
        { id: 'stories260k', provider: 'llama-cpp', path: 'stories260K.gguf', contextSize: 2048, capabilities: ['chat'], maxConcurrency: 1, threads: 1, qualityPrior: 0.01 },
        // Priced, so budgets have something to spend (an echo with a price list).
        { id: 'faq', provider: 'template', templates: { refund: 'Refunds take 5 days.' }, pricing: { inputPerMTok: 0, outputPerMTok: 0 } },
      ],
    }),
  );
  const pipelines = join(directory, 'pipelines.json');
  writeFileSync(pipelines, JSON.stringify([{ name: 'echo-pipe', nodes: [{ id: 'answer', skill: 'generate' }] }]));
  const traces = join(directory, 'spans.jsonl');
  // The policy check fails answers that mention launch codes: a real judge failure for the mid-stream test.
  const policy = join(directory, 'policy.json');
  writeFileSync(policy, JSON.stringify({ forbidden: [{ pattern: 'launch codes', reason: 'never reveal launch codes' }] }));
  const keys = { main: `sk-test-main-${directory.slice(-6)}-0123456789`, tight: `sk-test-tight-${directory.slice(-6)}-0123456789`, slow: `sk-test-slow-${directory.slice(-6)}-0123456789` };
  const nats = await startNatsServer();
  const port = await freePort();
  const env = {
    TROUPE_NATS_URL: nats.url,
    TROUPE_MODELS_CONFIG: registry,
    TROUPE_PIPELINES: pipelines,
    TROUPE_DEFAULT_MODEL: 'echo',
    ...(process.env.TROUPE_MODELS_DIR ? { TROUPE_MODELS_DIR: process.env.TROUPE_MODELS_DIR } : {}),
    TROUPE_LOG_LEVEL: 'warn',
    TROUPE_DURABLE: 'false',
    TROUPE_TRACES: `file:${traces}`,
    TROUPE_POLICY: policy,
    TROUPE_GATEWAY_PORT: String(port),
    TROUPE_GATEWAY_KEYS: JSON.stringify([
      { key: keys.main, tenant: 'acme' },
      { key: keys.tight, tenant: 'acme', budgetUsd: 0 },
      { key: keys.slow, tenant: 'acme', requestsPerMinute: 2 },
    ]),
    ...extraEnv,
  };
  // A busy 2-core machine can take a while to start four tsx processes; never leave one behind.
  const launched = await Promise.allSettled((['judge', 'worker', 'planner', 'gateway'] as const).map((name) => launchService(name, env, { readyTimeoutMs: 180_000 })));
  const services = launched.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = launched.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(services.map((service) => service.stop('SIGKILL')));
    await nats.stop();
    throw failed.reason;
  }
  const gateway = services[3]!;
  const url = /TROUPE_GATEWAY_URL (\S+)/.exec(gateway.output())?.[1];
  if (!url) throw new Error(`the gateway printed no URL:\n${gateway.output()}\n${gateway.logs()}`);
  return {
    nats,
    url,
    keys,
    services,
    traces,
    stop: async () => {
      const codes = await Promise.all(services.map((service) => service.stop('SIGTERM')));
      await nats.stop();
      return codes;
    },
  };
}
