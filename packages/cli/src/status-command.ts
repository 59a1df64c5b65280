import { Svcm } from '@nats-io/services';
import type { ServiceInfo, ServiceStats } from '@nats-io/services';
import { connectNats } from '@troupe/transport';
import { formatMs, formatTable } from './text-table.js';

type Data = Record<string, unknown>;

const numberOf = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const listOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : typeof value === 'string' && value
      ? value.split(',')
      : [];

/** One line per (service, endpoint), summed over the replicas that serve it. */
export function statusRows(stats: readonly ServiceStats[], infos: readonly ServiceInfo[] = []): string[][] {
  const metadataModels = new Map(infos.map((info) => [info.id, listOf(info.metadata?.models)]));
  const groups = new Map<
    string,
    { service: string; endpoint: string; subject: string; replicas: ServiceStats[]; requests: number; errors: number; p50: Array<[number, number]> }
  >();
  for (const replica of stats) {
    for (const endpoint of replica.endpoints ?? []) {
      const key = `${replica.name}\u0000${endpoint.name}`;
      const group = groups.get(key) ?? {
        service: replica.name,
        endpoint: endpoint.name,
        subject: endpoint.subject,
        replicas: [],
        requests: 0,
        errors: 0,
        p50: [],
      };
      group.replicas.push(replica);
      group.requests += endpoint.num_requests;
      group.errors += endpoint.num_errors;
      const p50 = numberOf((endpoint.data as Data | undefined)?.p50Ms);
      if (p50 !== undefined) group.p50.push([endpoint.num_requests, p50]);
      groups.set(key, group);
    }
  }
  const shownInFlight = new Set<string>();
  return [...groups.values()]
    .sort((a, b) => a.service.localeCompare(b.service))
    .map((group) => {
      // In-flight and models are per replica, not per endpoint: shown once, on the service's first line.
      const first = !shownInFlight.has(group.service);
      shownInFlight.add(group.service);
      const data = group.replicas.map((replica) => (replica.endpoints?.[0]?.data ?? {}) as Data);
      const inFlight = data.reduce((sum, each) => sum + (numberOf(each.inFlight) ?? 0), 0);
      const loaded = [...new Set(data.flatMap((each) => listOf(each.loadedModels)))];
      const configured = [...new Set(group.replicas.flatMap((replica) => metadataModels.get(replica.id) ?? []))];
      const defaults = [...new Set(data.flatMap((each) => (typeof each.defaultModel === 'string' ? [each.defaultModel] : [])))];
      const model = loaded.length ? `${loaded.join(', ')} (loaded)` : defaults.length ? defaults.join(', ') : configured.join(', ');
      // The busiest replica's median stands for the endpoint.
      const p50 = group.p50.sort((a, b) => b[0] - a[0])[0]?.[1];
      return [
        first ? group.service.replace(/^troupe-/, '') : '',
        first ? String(group.replicas.length) : '',
        group.endpoint,
        String(group.requests),
        String(group.errors),
        first ? String(inFlight) : '',
        group.requests > 0 ? formatMs(p50) : '–',
        first ? model || '–' : '',
      ];
    });
}

/**
 * `troupe status`: every Troupe service found through the NATS micro-service API (ADR-32), as a
 * table of service, replicas, endpoint, requests, errors, in-flight, p50 latency and model; with
 * `json`, one line per replica and one JSON object per endpoint, as before.
 */
export async function status(
  natsUrl: string,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  auth: { credsFile?: string } = {},
  format: 'table' | 'json' = 'table',
): Promise<number> {
  const connection = await connectNats({ servers: natsUrl, maxReconnectAttempts: 0, ...(auth.credsFile ? { credsFile: auth.credsFile } : {}) });
  try {
    const client = new Svcm(connection).client({ strategy: 'stall', stall: 100, maxWait: 1_000 });
    // INFO only adds the configured models; a user allowed STATS but not INFO still gets the table.
    const [stats, infos] = await Promise.all([
      collect(client.stats()),
      format === 'table' ? collect(client.info()).catch(() => []) : Promise.resolve([]),
    ]);
    const troupe = stats.filter((entry) => entry.name.startsWith('troupe-')).sort((a, b) => a.name.localeCompare(b.name));
    if (troupe.length === 0) {
      write(`no Troupe services answer on ${natsUrl}`);
      return 0;
    }
    if (format === 'json') {
      for (const entry of troupe) {
        write(`${entry.name} ${entry.id} v${entry.version} started ${entry.started}`);
        for (const endpoint of entry.endpoints ?? []) {
          write(
            `  ${JSON.stringify({ endpoint: endpoint.name, requests: endpoint.num_requests, errors: endpoint.num_errors, ...(endpoint.data as object) })}`,
          );
        }
      }
      return troupe.length;
    }
    const header = ['service', 'replicas', 'endpoint', 'requests', 'errors', 'in-flight', 'p50', 'model'];
    for (const line of formatTable(header, statusRows(troupe, infos), ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'left']))
      write(line);
    return troupe.length;
  } finally {
    await connection.drain();
  }
}

async function collect<Item>(pending: Promise<AsyncIterable<Item>>): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of await pending) items.push(item);
  return items;
}
