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
 * The planner answers tenants' task requests, asks workers, the judge and human reviewers, finds
 * workers through `$SRV.INFO`, and publishes progress events for every tenant.
 */
export function plannerPermissions(): SubjectPermissions {
  return {
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
}

/**
 * A worker answers subtask requests for its skills (all skills by default) and publishes token
 * deltas as progress events. It sends no requests, so it needs no inbox.
 */
export function workerPermissions(options: { skills?: readonly string[] } = {}): SubjectPermissions {
  const skills = options.skills && options.skills.length > 0 ? options.skills : ['*'];
  return {
    publish: [anyTenantEvents],
    subscribe: [...skills.map((skill) => subjects.workerRun(skill)), ...serviceApiSubjects(ServiceName.worker)],
    allowResponses: true,
  };
}

/** The judge answers verify requests and publishes each verdict on the verdict feed. */
export function judgePermissions(): SubjectPermissions {
  return {
    publish: [subjects.verdictFeed],
    subscribe: [subjects.judgeVerify, ...serviceApiSubjects(ServiceName.judge)],
    allowResponses: true,
  };
}

/** Whoever serves human review (a dashboard, a chat bot) answers review requests. */
export function reviewerPermissions(): SubjectPermissions {
  return { publish: [], subscribe: [subjects.humanReview], allowResponses: true };
}

/** Operators (`troupe status`): query the micro-service API of every service, nothing else. */
export function operatorPermissions(): SubjectPermissions {
  return { publish: ['$SRV.>'], subscribe: [`${SERVICE_INBOX_PREFIX}.>`], allowResponses: false };
}

/**
 * A tenant's clients: send task requests on the tenant's own subjects, read the tenant's progress
 * events and the replies in the tenant's private inbox — nothing internal, no other tenant.
 */
export function tenantPermissions(tenant: string): SubjectPermissions {
  return {
    publish: [`${SUBJECT_ROOT}.${tenant}.tasks.>`],
    subscribe: [subjects.taskEvents(tenant, '*'), `${tenantInboxPrefix(tenant)}.>`],
    allowResponses: false,
  };
}

/**
 * Extra permissions for a service that keeps state in a JetStream KV bucket (for example the
 * circuit-breaker store): the JetStream API calls that create, read, write and watch one bucket,
 * and the `$KV` subjects of that bucket only. Watches deliver to an inbox, hence `_INBOX.>`.
 */
export function kvBucketPermissions(bucket: string): SubjectPermissions {
  const stream = `KV_${bucket}`;
  return {
    publish: [
      '$JS.API.INFO',
      `$JS.API.STREAM.INFO.${stream}`,
      `$JS.API.STREAM.CREATE.${stream}`,
      `$JS.API.STREAM.UPDATE.${stream}`,
      `$JS.API.STREAM.MSG.GET.${stream}`,
      `$JS.API.DIRECT.GET.${stream}`,
      `$JS.API.DIRECT.GET.${stream}.>`,
      `$JS.API.CONSUMER.CREATE.${stream}`,
      `$JS.API.CONSUMER.CREATE.${stream}.>`,
      `$JS.API.CONSUMER.DELETE.${stream}.>`,
      `$JS.API.CONSUMER.INFO.${stream}.>`,
      `$JS.FC.${stream}.>`,
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
