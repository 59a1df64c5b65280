import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { ModelConfig } from '@troupe/models';
import { DEFAULT_MAX_PAYLOAD_BYTES, VerdictFeedEntry, subjects, type Cascade, type PipelineNode } from '@troupe/protocol';
import { createRouter, openRouterStore, routerFromDocument, scoreFromVerdict, type LearnedOutcome, type Router, type RouterStore } from '@troupe/router';
import { decodeJson, silentLogger, type Logger } from '@troupe/transport';
import { createRouterPolicy } from './router-policy.js';

/** Queue group of the learners: each verdict is folded into the stored router exactly once, by one replica. */
export const ROUTER_LEARNERS_QUEUE = 'troupe-router-learners';

export interface RouterSyncOptions {
  connection: NatsConnection;
  /** The run-time registry the stored router is rebuilt against. */
  models: readonly ModelConfig[];
  logger?: Logger;
  /** Learn from `troupe.v1.internal.verdicts` (default true). */
  learn?: boolean;
  replicas?: number;
}

export interface RouterSync {
  /** Plug into `hostPlanner({ chooseModel })`. Learning comes from the verdict feed, not from `onVerdict`. */
  chooseModel: ReturnType<typeof createRouterPolicy>['chooseModel'];
  /**
   * Plug into `hostPlanner({ cascadeFor })`: the deployed policy's cascade for the node's skill, in
   * registry ids (a recorded name maps to the entry whose `id` or `model` it is); undefined when the
   * skill has none or a step's model is not in the registry.
   */
  cascadeFor(node: PipelineNode): Cascade | undefined;
  /** The router this replica routes from right now. */
  router(): Router;
  /** The stored document version it was rebuilt from (0: nothing deployed or learned yet). */
  version(): number;
  /** Resolves once this replica routes from at least `version`. */
  waitForVersion(version: number, timeoutMs?: number): Promise<void>;
  /** Resolves once this replica routes from a document with at least `samples` verdicts learned since deploy. */
  waitForSamples(samples: number, timeoutMs?: number): Promise<void>;
  store: RouterStore;
  stop(): Promise<void>;
}

/**
 * Shares one router across planner replicas and restarts through NATS KV: every replica loads the
 * deployed document and watches it, so a `troupe router deploy` or a verdict learned by any replica
 * reaches all of them; verdicts from the judge's feed are consumed in a queue group and folded into
 * the stored router with compare-and-set, so a killed planner restarts from what was learned.
 */
export async function syncRouter(options: RouterSyncOptions): Promise<RouterSync> {
  const logger = (options.logger ?? silentLogger).child({ actor: 'router-sync' });
  const store = await openRouterStore(options.connection, { models: options.models, ...(options.replicas ? { replicas: options.replicas } : {}) });
  let current: Router = createRouter({ models: options.models });
  let cascades: Record<string, Cascade> = {};
  const idOf = (name: string) => options.models.find((model) => model.id === name || model.model === name)?.id;
  let version = 0;
  let samples = 0;
  const waiters = new Set<() => void>();
  const adopt = (document: Awaited<ReturnType<RouterStore['read']>>) => {
    if (!document || document.version < version) return;
    current = routerFromDocument(document, options.models);
    cascades = cascadesOf(document.artifact?.cascades?.groups ?? {}, idOf);
    version = document.version;
    samples = document.samples;
    for (const wake of waiters) wake();
  };
  adopt(await store.read());
  const watch = await store.watch(adopt);
  // The policy reads the router through this forwarder, so a reload is seen by the next decision.
  const forwarder: Router = {
    get models() {
      return current.models;
    },
    predict: (request) => current.predict(request),
    route: (request) => current.route(request),
    update: (example) => current.update(example),
    toJSON: () => current.toJSON(),
  } as Router;
  const policy = createRouterPolicy(forwarder);

  // Verdicts arrive faster than compare-and-set writes: fold whatever queued up into one write at a time.
  let queued: LearnedOutcome[] = [];
  let writing: Promise<void> | undefined;
  const flush = (): Promise<void> => {
    if (writing || queued.length === 0) return writing ?? Promise.resolve();
    const batch = queued;
    queued = [];
    writing = store
      .learn(batch)
      .then(() => undefined, (cause: unknown) => logger.warn({ err: cause, verdicts: batch.length }, 'could not store learned verdicts'))
      .finally(() => {
        writing = undefined;
        void flush();
      });
    return writing;
  };
  let subscription: Subscription | undefined;
  if (options.learn !== false) {
    subscription = options.connection.subscribe(subjects.verdictFeed, {
      queue: ROUTER_LEARNERS_QUEUE,
      callback: (error, message) => {
        if (error) return;
        const entry = safeDecode(message.data);
        // The human has the last word on an escalated output, not this verdict.
        if (!entry?.model || entry.decision === 'escalate') return;
        queued.push({ skill: entry.skill, model: entry.model, score: scoreFromVerdict(entry) });
        void flush();
      },
    });
  }

  const waitUntil = (reached: () => boolean, what: string, timeoutMs: number): Promise<void> => {
    if (reached()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${what} not seen within ${timeoutMs} ms (at version ${version}, ${samples} verdicts)`));
      }, timeoutMs);
      const check = () => {
        if (!reached()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });
  };

  return {
    chooseModel: policy.chooseModel,
    cascadeFor: (node) => cascades[node.skill],
    router: () => current,
    version: () => version,
    store,
    waitForVersion: (wanted, timeoutMs = 10_000) => waitUntil(() => version >= wanted, `router version ${wanted}`, timeoutMs),
    waitForSamples: (wanted, timeoutMs = 10_000) => waitUntil(() => samples >= wanted, `${wanted} learned verdicts`, timeoutMs),
    async stop() {
      subscription?.unsubscribe();
      await flush();
      watch.stop();
      waiters.clear();
    },
  };
}

/** The policy's steps per skill as wire cascades (a consensus gate where a step has a peer); skills with an unknown model are left out. */
function cascadesOf(groups: Record<string, Array<{ model: string; consensusWith?: string | undefined }>>, idOf: (name: string) => string | undefined): Record<string, Cascade> {
  const result: Record<string, Cascade> = {};
  for (const [skill, steps] of Object.entries(groups)) {
    const cascade = steps.map((step) => {
      const model = idOf(step.model);
      const peer = step.consensusWith === undefined ? undefined : idOf(step.consensusWith);
      if (!model || (step.consensusWith !== undefined && !peer)) return undefined;
      return { model, ...(peer ? { gate: { checks: ['consensus'], consensusModels: [peer] } } : {}) };
    });
    if (cascade.length > 0 && cascade.every(Boolean)) result[skill] = cascade as Cascade;
  }
  return result;
}

/** A malformed feed message is skipped: one bad publisher must not stop the learners. */
function safeDecode(data: Uint8Array): VerdictFeedEntry | undefined {
  try {
    return decodeJson(data, VerdictFeedEntry, { maxBytes: DEFAULT_MAX_PAYLOAD_BYTES });
  } catch {
    return undefined;
  }
}
