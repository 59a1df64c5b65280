import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { SemanticCache } from '@troupe/context';
import { TenantId, Verdict, subjects } from '@troupe/protocol';
import { decodeJson, type Logger } from '@troupe/transport';
import { cacheRef } from './worker-context.js';

/** One queue group: each verdict is acted on by one worker, not by every replica. */
export const CACHE_PROMOTERS_QUEUE = 'troupe-cache-promoters';

/** The part of a verdict-feed entry promotion reads. */
const FeedVerdict = Verdict.pick({ taskId: true, nodeId: true, attempt: true, decision: true }).extend({ tenant: TenantId });

/**
 * Promotes staged answers into the semantic cache from the judge's verdict feed: a `pass` moves the
 * answer staged under `<tenant>.<task>.<node>.<attempt>` into the cache; anything else leaves it to
 * expire. Works wherever the judge runs, so a deployed worker fills the cache without planner wiring.
 */
export function promoteFromVerdictFeed(options: { connection: NatsConnection; cache: Pick<SemanticCache, 'promote'>; logger: Logger }): Subscription {
  return options.connection.subscribe(subjects.verdictFeed, {
    queue: CACHE_PROMOTERS_QUEUE,
    callback: (error, message) => {
      if (error) return;
      let verdict: ReturnType<typeof FeedVerdict.parse>;
      try {
        verdict = decodeJson(message.data, FeedVerdict, { maxBytes: 1024 * 1024 });
      } catch {
        return; // Not ours to judge: the feed's other readers log malformed entries.
      }
      if (verdict.decision !== 'pass') return;
      options.cache.promote(cacheRef(verdict)).catch((cause: unknown) => options.logger.warn({ err: cause }, 'could not promote a judged answer into the cache'));
    },
  });
}
