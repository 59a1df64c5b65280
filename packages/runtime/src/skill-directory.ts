import type { NatsConnection } from '@nats-io/nats-core';
import { Svcm, type ServiceInfo } from '@nats-io/services';
import { Skill, subjects } from '@troupe/protocol';

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
          for (const skill of skillsOf(info)) skills.add(skill);
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

const SKILL_SUBJECT_PREFIX = subjects.workerRun('');

/**
 * The skills one `$SRV.INFO` answer offers. Endpoint metadata `skill` first (ADR-32 with endpoint
 * metadata); micro-service libraries that predate endpoint metadata are understood too: the skill
 * is read from an endpoint subject `troupe.v1.internal.skills.<skill>`, else from the service-level
 * metadata `skills` (comma-separated) or `skill`. Anything that is not a valid skill name is ignored.
 */
export function skillsOf(info: Pick<ServiceInfo, 'endpoints' | 'metadata'>): string[] {
  const found = new Set<string>();
  for (const endpoint of info.endpoints ?? []) {
    const named = endpoint.metadata?.skill ?? (endpoint.subject?.startsWith(SKILL_SUBJECT_PREFIX) ? endpoint.subject.slice(SKILL_SUBJECT_PREFIX.length) : undefined);
    if (named && Skill.safeParse(named).success) found.add(named);
  }
  if (found.size === 0) {
    for (const named of [...(info.metadata?.skills?.split(',') ?? []), info.metadata?.skill ?? '']) {
      const skill = named.trim();
      if (skill && Skill.safeParse(skill).success) found.add(skill);
    }
  }
  return [...found];
}
