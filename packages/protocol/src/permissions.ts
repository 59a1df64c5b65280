import { SUBJECT_ROOT, subjects } from './subjects.js';

/**
 * Least-privilege NATS subject permissions for every Troupe role, as data. `troupe permissions`
 * renders them as nats-server config and docs/security.md explains each line; because they are
 * built from the same subject builders the runtime uses, a renamed subject cannot leave the
 * permissions behind.
 */
export interface SubjectPermissions {
  /** Subjects the user may publish to (requests included: a request is a publish). */
  readonly publish: readonly string[];
  /** Subjects the user may subscribe to (reply inboxes included). */
  readonly subscribe: readonly string[];
  /**
   * nats-server `allow_responses`: the user may publish one reply to the reply subject of each
   * request it receives, without a publish permission for every caller's inbox.
   */
  readonly allowResponses: boolean;
}

/** Names the services register with the NATS micro-service API (`$SRV.*.<name>`). */
export const ServiceName = {
  planner: 'troupe-planner',
  worker: 'troupe-worker',
  judge: 'troupe-judge',
} as const;
export type ServiceName = (typeof ServiceName)[keyof typeof ServiceName];

/** Inbox prefix nats.js uses when none is configured; only trusted services may read it. */
export const SERVICE_INBOX_PREFIX = '_INBOX';

/**
 * The private reply-inbox prefix of a tenant's clients (nats.js `inboxPrefix`). Tenants must not
 * share `_INBOX.>`: whoever can subscribe to it reads every other user's replies.
 */
export function tenantInboxPrefix(tenant: string): string {
  return `${SERVICE_INBOX_PREFIX}_${tenant}`;
}

/** Everything the micro-service API needs to answer `$SRV.PING|INFO|STATS[.<name>[.<id>]]`. */
function serviceApiSubjects(name: ServiceName): string[] {
  return ['$SRV.*', `$SRV.*.${name}`, `$SRV.*.${name}.*`];
}

const anyTenantEvents = subjects.taskEvents('*', '*');

/**
 * JetStream resources of the durable mode (`TROUPE_DURABLE=true`, the default). They mirror
 * `DurableResource` in @troupe/durability; test/integration/security.test.ts runs the services
 * with exactly these permissions, so a rename there shows up as a permission violation.
 */
export const DurableResourceNames = {
  tasksStream: 'TROUPE_TASKS',
  plannerConsumer: 'troupe-planner',
  deadLetterStream: 'TROUPE_DEAD_TASKS',
  tasksBucket: 'troupe_tasks',
  nodeResultsBucket: 'troupe_node_results',
  /** Judge verdicts kept for `TROUPE_VERDICT_RETENTION_HOURS`, key `<tenant>.<taskId>.<nodeId>.<attempt>`. */
  verdictsBucket: 'troupe_verdicts',
  /** `tasks.run` replies by Troupe-Idempotency-Key, shared by planner replicas (@troupe/kv createKvIdempotency). */
  idempotencyBucket: 'troupe_idempotency',
  /** Subjects of the task queue and the dead letters: `troupe.v1.<tenant>.tasks.{queue,dead}`. */
  taskQueue: (tenant: string) => `${SUBJECT_ROOT}.${tenant}.tasks.queue`,
  deadTask: (tenant: string) => `${SUBJECT_ROOT}.${tenant}.tasks.dead`,
} as const;

/** KV buckets that services share outside the durable mode: budget ledger and circuit breakers. */
export const SharedBucketNames = {
  /** `@troupe/budget` ledger: the planner sets task limits, workers with priced models reserve against them. */
  budgets: 'troupe_budgets',
  /** `@troupe/router` deployed router and what it learned: planners load, watch and update it. */
  router: 'troupe_router',
  /** `@troupe/resilience` circuit breakers, shared by workers with priced models and watched by each. */
  breakers: 'troupe_breakers',
  /** `@troupe/context` chunks of ingested collections, mirrored by every worker that retrieves. */
  contextChunks: 'troupe_context',
  /** `@troupe/context` judge-passed semantic-cache entries, mirrored by every worker that caches. */
  cache: 'troupe_cache',
  /** `@troupe/context` answers waiting for their verdict before they enter the cache. */
  cachePending: 'troupe_cache_pending',
} as const;

/** Which optional state a service keeps in NATS; each default mirrors the services' own default. */
export interface RolePermissionOptions {
  /** `TROUPE_DURABLE=true`: JetStream task queue, task records and node ledger in KV (default true). */
  durable?: boolean;
  /** `TROUPE_BUDGETS=true`: the shared budget ledger in KV (default true). */
  budgets?: boolean;
  /** `TROUPE_BREAKERS=kv`: circuit breakers in a watched KV bucket; workers only (default true). */
  kvBreakers?: boolean;
  /** `TROUPE_CONTEXT=use`: semantic cache and retrieval buckets, and the verdict feed that promotes judged answers; workers only (default false). */
  context?: boolean;
}

/**
 * The planner answers tenants' task requests, asks workers, the judge and human reviewers, finds
 * workers through `$SRV.INFO`, and publishes progress events for every tenant. Durable: it also
 * queues tasks in JetStream, pulls them back with the shared consumer, dead-letters the ones that
 * cannot run, and keeps task records in KV. With budgets on, it sets each task's limit in the ledger.
 */
export function plannerPermissions(options: RolePermissionOptions = {}): SubjectPermissions {
  const base: SubjectPermissions = {
    publish: [
      subjects.workerRun('*'),
      subjects.judgeVerify,
      subjects.humanReview,
      anyTenantEvents,
      `$SRV.INFO.${ServiceName.worker}`,
    ],
    subscribe: [
      subjects.anyTenant.taskRun,
      subjects.anyTenant.taskSubmit,
      subjects.anyTenant.taskResult,
      ...serviceApiSubjects(ServiceName.planner),
      `${SERVICE_INBOX_PREFIX}.>`,
    ],
    allowResponses: true,
  };
  // The shared router: load and watch the deployed one, and learn into it from the verdict feed.
  const routed = mergePermissions(base, mergePermissions(kvBucketPermissions(SharedBucketNames.router, { watch: true }), { publish: [], subscribe: [subjects.verdictFeed], allowResponses: false }));
  const withBudgets = options.budgets === false ? routed : mergePermissions(routed, kvBucketPermissions(SharedBucketNames.budgets));
  if (options.durable === false) return withBudgets;
  const { tasksStream: stream, plannerConsumer: consumer, deadLetterStream: dead } = DurableResourceNames;
  const queue: SubjectPermissions = {
    publish: [
      DurableResourceNames.taskQueue('*'),
      DurableResourceNames.deadTask('*'),
      '$JS.API.INFO',
      ...[stream, dead].flatMap((name) => [`$JS.API.STREAM.INFO.${name}`, `$JS.API.STREAM.CREATE.${name}`]),
      `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
      `$JS.API.CONSUMER.CREATE.${stream}.${consumer}`,
      `$JS.API.CONSUMER.CREATE.${stream}.${consumer}.>`,
      `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${consumer}`,
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
      `$JS.ACK.${stream}.${consumer}.>`,
    ],
    subscribe: [],
    allowResponses: false,
  };
  return [kvBucketPermissions(DurableResourceNames.tasksBucket), kvBucketPermissions(DurableResourceNames.idempotencyBucket)].reduce(
    mergePermissions,
    mergePermissions(withBudgets, queue),
  );
}

/**
 * A worker answers subtask requests for its skills (all skills by default) and publishes token
 * deltas as progress events. Durable: it records node attempts in a KV ledger; with priced models
 * it reserves against the budget ledger and shares circuit breakers.
 */
export function workerPermissions(options: RolePermissionOptions & { skills?: readonly string[] } = {}): SubjectPermissions {
  const skills = options.skills && options.skills.length > 0 ? options.skills : ['*'];
  const base: SubjectPermissions = {
    publish: [anyTenantEvents],
    subscribe: [...skills.map((skill) => subjects.workerRun(skill)), ...serviceApiSubjects(ServiceName.worker)],
    allowResponses: true,
  };
  // The budget and breaker buckets are opened only by workers that have priced models.
  const buckets = [
    ...(options.durable === false ? [] : [kvBucketPermissions(DurableResourceNames.nodeResultsBucket)]),
    ...(options.budgets === false ? [] : [kvBucketPermissions(SharedBucketNames.budgets)]),
    ...(options.kvBreakers === false ? [] : [kvBucketPermissions(SharedBucketNames.breakers, { watch: true })]),
    ...(options.context
      ? [
          kvBucketPermissions(SharedBucketNames.contextChunks, { watch: true }),
          kvBucketPermissions(SharedBucketNames.cache, { watch: true }),
          kvBucketPermissions(SharedBucketNames.cachePending),
          { publish: [], subscribe: [subjects.verdictFeed], allowResponses: false },
        ]
      : []),
  ];
  return buckets.reduce(mergePermissions, base);
}

/**
 * The judge answers verify requests and publishes each verdict on the verdict feed; it also records
 * the feed (one queue group across replicas) in the verdicts bucket, unless retention is 0.
 */
export function judgePermissions(options: { verdicts?: boolean } = {}): SubjectPermissions {
  const base: SubjectPermissions = {
    publish: [subjects.verdictFeed],
    subscribe: [subjects.judgeVerify, ...serviceApiSubjects(ServiceName.judge)],
    allowResponses: true,
  };
  if (options.verdicts === false) return base;
  return mergePermissions(mergePermissions(base, { publish: [], subscribe: [subjects.verdictFeed], allowResponses: false }), kvBucketPermissions(DurableResourceNames.verdictsBucket));
}

/**
 * The gateway (a door): sends any tenant's task requests to the planner on behalf of its API keys
 * and reads their progress events and replies; it serves nothing on the bus and reaches no internal subject.
 */
export function gatewayPermissions(): SubjectPermissions {
  return {
    publish: [subjects.anyTenant.taskRun, subjects.anyTenant.taskSubmit, subjects.anyTenant.taskResult],
    subscribe: [anyTenantEvents, `${SERVICE_INBOX_PREFIX}.>`],
    allowResponses: false,
  };
}

/** Whoever serves human review (a dashboard, a chat bot) answers review requests. */
export function reviewerPermissions(): SubjectPermissions {
  return { publish: [], subscribe: [subjects.humanReview], allowResponses: true };
}

/** Operators (`troupe status`, `troupe dlq`): the micro-service API of every service and the dead letters, read-only. */
export function operatorPermissions(): SubjectPermissions {
  const dead = DurableResourceNames.deadLetterStream;
  return {
    publish: ['$SRV.>', '$JS.API.INFO', `$JS.API.STREAM.INFO.${dead}`, `$JS.API.STREAM.MSG.GET.${dead}`, `$JS.API.DIRECT.GET.${dead}`],
    subscribe: [`${SERVICE_INBOX_PREFIX}.>`],
    allowResponses: false,
  };
}

/**
 * A tenant's clients: send task requests on the tenant's own run/submit/result subjects, read the
 * tenant's progress events and the replies in the tenant's private inbox — nothing internal, no
 * other tenant, and not the tenant's own `tasks.queue`/`tasks.dead`, which only the planner
 * writes (a client there would skip the planner's admission checks).
 */
export function tenantPermissions(tenant: string): SubjectPermissions {
  return {
    publish: [subjects.taskRun(tenant), subjects.taskSubmit(tenant), subjects.taskResult(tenant)],
    subscribe: [subjects.taskEvents(tenant, '*'), `${tenantInboxPrefix(tenant)}.>`],
    allowResponses: false,
  };
}

/**
 * What a service needs to keep state in one JetStream KV bucket (create, read, write; `watch`
 * adds the ordered consumer a watcher uses): that bucket's stream and `$KV` subjects only.
 * KV writes and reads are requests, hence `_INBOX.>`.
 */
export function kvBucketPermissions(bucket: string, options: { watch?: boolean } = {}): SubjectPermissions {
  const stream = `KV_${bucket}`;
  const watch = options.watch
    ? [`$JS.API.CONSUMER.CREATE.${stream}`, `$JS.API.CONSUMER.CREATE.${stream}.>`, `$JS.API.CONSUMER.DELETE.${stream}.>`, `$JS.API.CONSUMER.INFO.${stream}.>`, `$JS.FC.${stream}.>`]
    : [];
  return {
    publish: [
      '$JS.API.INFO',
      `$JS.API.STREAM.INFO.${stream}`,
      `$JS.API.STREAM.CREATE.${stream}`,
      `$JS.API.STREAM.UPDATE.${stream}`,
      `$JS.API.STREAM.MSG.GET.${stream}`,
      `$JS.API.DIRECT.GET.${stream}`,
      `$JS.API.DIRECT.GET.${stream}.>`,
      ...watch,
      `$KV.${bucket}.>`,
    ],
    subscribe: [`${SERVICE_INBOX_PREFIX}.>`],
    allowResponses: false,
  };
}

/** The union of two permission sets, without duplicates (a service plus its KV bucket). */
export function mergePermissions(left: SubjectPermissions, right: SubjectPermissions): SubjectPermissions {
  return {
    publish: [...new Set([...left.publish, ...right.publish])],
    subscribe: [...new Set([...left.subscribe, ...right.subscribe])],
    allowResponses: left.allowResponses || right.allowResponses,
  };
}
