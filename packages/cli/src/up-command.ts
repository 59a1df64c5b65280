import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
// eslint-disable-next-line no-restricted-imports -- TODO(lead): `up` should not need @troupe/testing at run time; move the launcher out.
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { launchService, type LaunchedService, type ServiceName } from './service-launcher.js';
import { UP_STATE_FILE } from './nats-target.js';

export interface UpOptions {
  nats?: string;
  modelsDir?: string;
  modelsConfig?: string;
  workers: number;
  /** Stay in the foreground until SIGINT/SIGTERM (the CLI); tests and the demo stop it themselves. */
  foreground: boolean;
  log?: (line: string) => void;
  /** Start the OpenAI-compatible gateway too (default true); its port comes from TROUPE_GATEWAY_PORT, else 8080, else a free one. */
  gateway?: boolean;
}

export interface RunningTroupe {
  natsUrl: string;
  services: LaunchedService[];
  /** Base URL of the gateway (`<url>/v1` for OpenAI clients, `<url>/mcp` for MCP hosts). */
  gatewayUrl?: string;
  stop(): Promise<void>;
}

/**
 * `troupe up`: starts nats-server from PATH on a free port (unless one is given) and the planner,
 * judge and N workers as separate processes, and records where they are in .troupe/up.json.
 */
export async function up(options: UpOptions): Promise<RunningTroupe> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  let nats: NatsServer | undefined;
  if (!options.nats) {
    nats = await startNatsServer();
    log(`nats-server (JetStream) listening on ${nats.url}`);
  }
  const natsUrl = options.nats ?? nats!.url;
  const env: NodeJS.ProcessEnv = {
    TROUPE_NATS_URL: natsUrl,
    ...(options.modelsDir ? { TROUPE_MODELS_DIR: options.modelsDir } : {}),
    ...(options.modelsConfig ? { TROUPE_MODELS_CONFIG: options.modelsConfig } : {}),
  };
  const services: LaunchedService[] = [];
  let gatewayUrl: string | undefined;
  const stop = async () => {
    await Promise.all(services.map((service) => service.stop()));
    await nats?.stop();
    rmSync(UP_STATE_FILE, { force: true });
  };
  try {
    const names: ServiceName[] = ['judge', ...Array.from({ length: options.workers }, () => 'worker' as const), 'planner'];
    for (const [index, name] of names.entries()) {
      services.push(await launchService(name, { ...env, TROUPE_WORKER_ID: `worker-${index}` }));
      log(`started ${name} (pid ${services.at(-1)!.process.pid})`);
    }
    if (options.gateway ?? true) {
      const gateway = await launchGateway(env);
      services.push(gateway);
      gatewayUrl = /TROUPE_GATEWAY_URL (\S+)/.exec(gateway.output())?.[1];
      const key = /TROUPE_GATEWAY_KEY (\S+)/.exec(gateway.output())?.[1];
      log(`started gateway (pid ${gateway.process.pid}) on ${gatewayUrl}`);
      log(`  OpenAI clients: base URL ${gatewayUrl}/v1, ${key ? `API key ${key} (generated for this run; set TROUPE_GATEWAY_KEYS to choose keys)` : 'an API key from TROUPE_GATEWAY_KEYS'}`);
      log(`  MCP hosts: ${gatewayUrl}/mcp (streamable HTTP), or the command \`troupe mcp\` (stdio)`);
      const dashboardUrl = /TROUPE_DASHBOARD_URL (\S+)/.exec(gateway.output())?.[1];
      if (dashboardUrl) log(`  dashboard: ${dashboardUrl} (live tasks, costs, routing, services; open it in a browser)`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  mkdirSync('.troupe', { recursive: true });
  writeFileSync(UP_STATE_FILE, JSON.stringify({ natsUrl, pids: services.map((service) => service.process.pid) }, null, 2));
  log(`\nTroupe is up. Send a task:\n  npx troupe run "Ada from Paris wants a refund"\n  or any NATS client: request on troupe.v1.default.tasks.run with JSON like {"pipeline":"extract-logic-synthesis","input":"..."}\n  (TROUPE_NATS_URL=${natsUrl})`);
  if (options.foreground) {
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    log('stopping…');
    await stop();
  }
  return { natsUrl, services, ...(gatewayUrl ? { gatewayUrl } : {}), stop };
}

/** The gateway on TROUPE_GATEWAY_PORT or 8080; when that port is taken, on a free one. */
async function launchGateway(env: NodeJS.ProcessEnv): Promise<LaunchedService> {
  const port = process.env.TROUPE_GATEWAY_PORT ?? '8080';
  try {
    return await launchService('gateway', { ...env, TROUPE_GATEWAY_PORT: port });
  } catch (error) {
    if (port === '0') throw error;
    return launchService('gateway', { ...env, TROUPE_GATEWAY_PORT: '0' });
  }
}
