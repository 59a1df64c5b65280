import type { NatsConnection } from '@nats-io/nats-core';
import { z } from 'zod';
import { openKvBucket, type KvBucket, type KvWatch } from '@troupe/kv';
import type { ModelConfig } from '@troupe/models';
import { createRouter, loadRouter, type Router } from './router.js';

/** The KV bucket holding the deployed router and what it learned since. */
export const ROUTER_BUCKET = 'troupe_router';
/** The one key every planner replica loads and watches. */
export const ROUTER_KEY = 'deployed';

const Learned = z.object({ samples: z.number().int().nonnegative(), meanScore: z.number().min(0).max(1) });
const PolicyStep = z.object({ model: z.string(), consensusWith: z.string().optional() });

/** A trained router as `troupe router train` writes it and `troupe router deploy` reads it. */
export const RouterArtifact = z.object({
  kind: z.literal('troupe.router-artifact'),
  trainedAt: z.string(),
  data: z.string(),
  /** `router.toJSON()` of the learned N-way router. */
  router: z.record(z.string(), z.unknown()),
  /** The cascade policy per skill (recorded model names), with its cross-validation report. */
  cascades: z.object({ groups: z.record(z.string(), z.array(PolicyStep)), costWeight: z.number(), costShare: z.number() }).passthrough().optional(),
});
export type RouterArtifact = z.infer<typeof RouterArtifact>;

/** What lives at `troupe_router/deployed`: the artifact plus every verdict learned since deploy. */
export const RouterDocument = z.object({
  kind: z.literal('troupe.router'),
  /** Bumped on every write, so a replica can tell which state it routes from. */
  version: z.number().int().nonnegative(),
  deployedAt: z.string(),
  artifact: RouterArtifact.optional(),
  /** The router as it is now: the artifact's router plus online updates. */
  router: z.record(z.string(), z.unknown()),
  /** Verdicts learned since deploy, per skill and model: samples seen and mean verdict score. */
  learned: z.record(z.string(), z.record(z.string(), Learned)),
  samples: z.number().int().nonnegative(),
});
export type RouterDocument = z.infer<typeof RouterDocument>;

/** One judged outcome to learn from (from the verdict feed). */
export interface LearnedOutcome {
  skill: string;
  model: string;
  score: number;
  prompt?: string;
  costUsd?: number;
}

export interface RouterStore {
  /** The deployed document, or undefined when nothing was deployed yet. */
  read(): Promise<RouterDocument | undefined>;
  /** Replaces the deployed router with an artifact; what was learned before starts over. */
  deploy(artifact: RouterArtifact): Promise<RouterDocument>;
  /** Folds outcomes into the stored router in one write (compare-and-set, so concurrent learners never lose an update). */
  learn(outcomes: readonly LearnedOutcome[]): Promise<RouterDocument>;
  /** Calls `listener` with the current document, then on every change. */
  watch(listener: (document: RouterDocument) => void): Promise<KvWatch>;
}

/** Opens (creating on first use) the router bucket. `models` is the registry the stored router is rebuilt against. */
export async function openRouterStore(connection: NatsConnection, options: { models?: readonly ModelConfig[]; replicas?: number } = {}): Promise<RouterStore> {
  const bucket: KvBucket<RouterDocument> = await openKvBucket({ connection, bucket: ROUTER_BUCKET, schema: RouterDocument, ...(options.replicas ? { replicas: options.replicas } : {}) });
  const models = options.models ?? [];
  const empty = (): RouterDocument => ({ kind: 'troupe.router', version: 0, deployedAt: new Date().toISOString(), router: createRouter({ models }).toJSON() as unknown as Record<string, unknown>, learned: {}, samples: 0 });
  return {
    read: async () => (await bucket.get(ROUTER_KEY))?.value,
    async deploy(artifact) {
      const stored = await bucket.mutate(ROUTER_KEY, (current) => ({
        kind: 'troupe.router',
        version: (current?.version ?? 0) + 1,
        deployedAt: new Date().toISOString(),
        artifact,
        router: artifact.router,
        learned: {},
        samples: 0,
      }));
      return stored.value;
    },
    async learn(outcomes) {
      const stored = await bucket.mutate(ROUTER_KEY, (current) => {
        const document = current ?? empty();
        const router = loadRouter(document.router, { models });
        const learned: RouterDocument['learned'] = { ...document.learned };
        for (const outcome of outcomes) {
          router.update({ prompt: outcome.prompt ?? '', task: outcome.skill, model: outcome.model, score: outcome.score, ...(outcome.costUsd !== undefined ? { costUsd: outcome.costUsd } : {}) });
          const seen = learned[outcome.skill]?.[outcome.model] ?? { samples: 0, meanScore: 0 };
          const samples = seen.samples + 1;
          learned[outcome.skill] = { ...learned[outcome.skill], [outcome.model]: { samples, meanScore: seen.meanScore + (outcome.score - seen.meanScore) / samples } };
        }
        return { ...document, version: document.version + 1, router: router.toJSON() as unknown as Record<string, unknown>, learned, samples: document.samples + outcomes.length };
      });
      return stored.value;
    },
    async watch(listener) {
      return bucket.watch((_key, value) => value && listener(value.value), { key: ROUTER_KEY });
    },
  };
}

/** A router rebuilt from a stored document against the run-time registry. */
export function routerFromDocument(document: RouterDocument, models: readonly ModelConfig[]): Router {
  return loadRouter(document.router, { models });
}
