import { get } from 'node:http';
import { freePort } from './free-port.js';
import { startNatsServer, type NatsServer } from './nats-server.js';

/** A JetStream cluster of real nats-server processes on loopback ports. */
export interface NatsCluster extends AsyncDisposable {
  readonly servers: readonly NatsServer[];
  /** Every node's client URL, comma-separated: what `TROUPE_NATS_URL` and `servers` accept. */
  readonly url: string;
  readonly urls: readonly string[];
  /** Waits until every running node reports healthy JetStream (`/healthz`). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `size` nats-server processes clustered on loopback with JetStream (each its own store
 * directory), and waits until JetStream has a meta leader so streams with `num_replicas: size`
 * can be created. Kill and restart single nodes through `servers[i]`.
 *
 * @example
 * await using cluster = await startNatsCluster(3);
 * const connection = await connectNats({ servers: cluster.urls });
 */
export async function startNatsCluster(size = 3, options: { name?: string } = {}): Promise<NatsCluster> {
  const nodes = await Promise.all(
    Array.from({ length: size }, async (_, index) => ({ index, port: await freePort(), routePort: await freePort(), monitorPort: await freePort() })),
  );
  const routes = nodes.map((node) => `nats-route://127.0.0.1:${node.routePort}`);
  const servers = await Promise.all(
    nodes.map((node) =>
      startNatsServer({
        port: node.port,
        serverName: `troupe-n${node.index + 1}`,
        config: [
          `http: 127.0.0.1:${node.monitorPort}`,
          'cluster {',
          `  name: ${options.name ?? 'troupe'}`,
          `  listen: 127.0.0.1:${node.routePort}`,
          `  routes: [${routes.filter((_, index) => index !== node.index).join(', ')}]`,
          '}',
        ].join('\n'),
      }),
    ),
  );
  const waitHealthy = async (timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    for (const [index, server] of servers.entries()) {
      if (server.process.exitCode !== null || server.process.signalCode !== null) continue;
      while (!(await healthy(nodes[index]!.monitorPort))) {
        if (Date.now() > until) throw new Error(`nats-server ${index + 1} of the cluster did not become healthy`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    await waitHealthy();
  } catch (error) {
    await stop();
    throw error;
  }
  const urls = servers.map((server) => server.url);
  return { servers, urls, url: urls.join(','), waitHealthy, stop, [Symbol.asyncDispose]: stop };
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => {
      request.destroy();
      resolve(false);
    });
  });
}
