import type { NatsConnection } from '@nats-io/nats-core';
import { Svcm } from '@nats-io/services';

export const WORKER_SERVICE_NAME = 'troupe-worker';

/**
 * Which skills some worker serves, learnt from the workers' `$SRV.INFO` metadata. Cached, and
 * refreshed at most every `refreshMs` on a miss, so unknown skills are rejected before any work.
 */
export class SkillDirectory {
  #skills = new Set<string>();
  #models = new Set<string>();
  #refreshedAt = 0;
  #refreshing: Promise<void> | undefined;

  constructor(
    private readonly connection: NatsConnection,
    private readonly refreshMs = 1_000,
  ) {}

  async has(skill: string): Promise<boolean> {
    if (this.#skills.has(skill)) return true;
    if (Date.now() - this.#refreshedAt >= this.refreshMs) await this.refresh();
    return this.#skills.has(skill);
  }

  /** Model ids some worker has in its registry (from the same `$SRV.INFO` answers). */
  get models(): ReadonlySet<string> {
    return this.#models;
  }

  async known(): Promise<ReadonlySet<string>> {
    if (Date.now() - this.#refreshedAt >= this.refreshMs) await this.refresh();
    return this.#skills;
  }

  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      const skills = new Set<string>();
      const models = new Set<string>();
      try {
        const client = new Svcm(this.connection).client({ strategy: 'stall', stall: 50, maxWait: 300 });
        for await (const info of await client.info(WORKER_SERVICE_NAME)) {
          for (const model of info.metadata?.models?.split(',') ?? []) if (model) models.add(model);
          for (const endpoint of info.endpoints ?? []) {
            if (endpoint.metadata?.skill) skills.add(endpoint.metadata.skill);
          }
        }
      } catch {
        // No worker answered: the directory is empty until one does.
      }
      this.#skills = skills;
      this.#models = models;
      this.#refreshedAt = Date.now();
    })().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }
}
