import type { NatsConnection } from '@nats-io/nats-core';
import { Svcm } from '@nats-io/services';
import type { ServiceView } from './views.js';

type Data = Record<string, unknown>;

const numberOf = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const stringsOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : typeof value === 'string' && value
      ? value.split(',')
      : [];

/**
 * Every Troupe service replica that answers the ADR-32 `$SRV.INFO` and `$SRV.STATS` requests: the
 * same discovery `troupe status` uses, asked again every `intervalMs` (services, not the planner's
 * task API, are asked; each replica answers for itself).
 */
export async function discoverServices(connection: NatsConnection, options: { maxWaitMs?: number } = {}): Promise<ServiceView[]> {
  const client = new Svcm(connection).client({ strategy: 'stall', stall: 100, maxWait: options.maxWaitMs ?? 1_000 });
  const [infos, stats] = await Promise.all([collect(client.info()), collect(client.stats())]);
  const modelsById = new Map(infos.map((info) => [info.id, stringsOf(info.metadata?.models)]));
  const now = Date.now();
  return stats
    .filter((entry) => entry.name.startsWith('troupe-'))
    .map((entry) => {
      const endpoints = entry.endpoints ?? [];
      const data = (endpoints[0]?.data ?? {}) as Data;
      return {
        name: entry.name,
        id: entry.id,
        version: entry.version,
        started: entry.started,
        endpoints: endpoints.map((endpoint) => {
          const endpointData = (endpoint.data ?? {}) as Data;
          const p50Ms = numberOf(endpointData.p50Ms);
          return {
            name: endpoint.name,
            subject: endpoint.subject,
            requests: endpoint.num_requests,
            errors: endpoint.num_errors,
            ...(endpoint.last_error ? { lastError: endpoint.last_error } : {}),
            ...(p50Ms !== undefined ? { p50Ms } : {}),
          };
        }),
        inFlight: numberOf(data.inFlight) ?? 0,
        ...(numberOf(data.lastTokensPerSecond) !== undefined ? { tokensPerSecond: numberOf(data.lastTokensPerSecond)! } : {}),
        loadedModels: stringsOf(data.loadedModels),
        models: modelsById.get(entry.id) ?? (typeof data.defaultModel === 'string' ? [data.defaultModel] : []),
        seenAt: now,
      } satisfies ServiceView;
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

async function collect<Item>(pending: Promise<AsyncIterable<Item>>): Promise<Item[]> {
  const items: Item[] = [];
  try {
    for await (const item of await pending) items.push(item);
  } catch {
    // No responders (nothing runs yet) is an empty directory, not an error.
  }
  return items;
}
