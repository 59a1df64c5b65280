import type { NatsConnection } from '@nats-io/nats-core';
import { Svcm } from '@nats-io/services';

const WORKER_SERVICE = 'troupe-worker';
const PLANNER_SERVICE = 'troupe-planner';

export interface DirectorySnapshot {
  /** Registry model ids some worker can run. */
  models: ReadonlySet<string>;
  /** Pipelines some planner has registered. */
  pipelines: ReadonlySet<string>;
}

/**
 * What the running Troupe offers, learnt over NATS only (the micro-service `$SRV.INFO` of workers
 * and `$SRV.STATS` of planners), so the gateway needs no registry file of its own. Cached; a miss
 * refreshes at most once per `minRefreshMs`, so unknown model ids cost no NATS round trip each.
 */
export class TroupeDirectory {
  #snapshot: DirectorySnapshot = { models: new Set(), pipelines: new Set() };
  #refreshedAt = 0;
  #refreshing: Promise<DirectorySnapshot> | undefined;

  constructor(
    private readonly connection: NatsConnection,
    private readonly options: { ttlMs?: number; minRefreshMs?: number } = {},
  ) {}

  /**
   * The cached snapshot. Only the first call waits for NATS; after that a stale snapshot is
   * answered at once and refreshed in the background, so no request pays a `$SRV` round trip.
   */
  async current(): Promise<DirectorySnapshot> {
    if (this.#refreshedAt === 0) return this.refresh();
    if (Date.now() - this.#refreshedAt > (this.options.ttlMs ?? 5_000)) void this.refresh();
    return this.#snapshot;
  }

  /** Whether a model id is known, refreshing once (rate-limited) on a miss. */
  async hasModel(model: string): Promise<boolean> {
    if ((await this.current()).models.has(model)) return true;
    if (Date.now() - this.#refreshedAt < (this.options.minRefreshMs ?? 1_000)) return false;
    return (await this.refresh()).models.has(model);
  }

  refresh(): Promise<DirectorySnapshot> {
    this.#refreshing ??= this.#load().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #load(): Promise<DirectorySnapshot> {
    const models = new Set<string>();
    const pipelines = new Set<string>();
    const client = new Svcm(this.connection).client({ strategy: 'stall', stall: 50, maxWait: 500 });
    try {
      for await (const info of await client.info(WORKER_SERVICE)) {
        for (const model of info.metadata?.models?.split(',') ?? []) if (model) models.add(model);
      }
      for await (const stats of await client.stats(PLANNER_SERVICE)) {
        for (const endpoint of stats.endpoints ?? []) {
          const data = endpoint.data as { pipelines?: unknown } | undefined;
          if (Array.isArray(data?.pipelines)) for (const name of data.pipelines) if (typeof name === 'string') pipelines.add(name);
        }
      }
    } catch {
      // No service answered: an empty directory until one does (requests then get a clear 404/503).
    }
    this.#snapshot = { models, pipelines };
    this.#refreshedAt = Date.now();
    return this.#snapshot;
  }
}
