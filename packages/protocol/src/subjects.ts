/**
 * Subject names are versioned (`troupe.v1`) and scoped by tenant, so NATS permissions alone can
 * keep tenants apart: a tenant's user gets `troupe.v1.<tenant>.>` and nothing else.
 */
export const SUBJECT_ROOT = 'troupe.v1' as const;

/** Queue groups let N replicas of a service share the load of one subject. */
export const QueueGroup = {
  planner: 'troupe-planner',
  judge: 'troupe-judge',
  worker: (skill: string) => `troupe-worker-${skill}`,
} as const;

export const subjects = {
  /** Request: TaskSubmission → TaskResult (waits for the verified result). */
  taskRun: (tenant: string) => `${SUBJECT_ROOT}.${tenant}.tasks.run`,
  /** Request: TaskSubmission → TaskAccepted (returns at once; follow events or ask for the result). */
  taskSubmit: (tenant: string) => `${SUBJECT_ROOT}.${tenant}.tasks.submit`,
  /** Request: TaskQuery → TaskResult. */
  taskResult: (tenant: string) => `${SUBJECT_ROOT}.${tenant}.tasks.result`,
  /** Publish: ProgressEvent for one task. */
  taskEvents: (tenant: string, taskId: string) => `${SUBJECT_ROOT}.${tenant}.events.${taskId}`,
  /** Wildcard forms used by services that listen for every tenant. */
  anyTenant: {
    taskRun: `${SUBJECT_ROOT}.*.tasks.run`,
    taskSubmit: `${SUBJECT_ROOT}.*.tasks.submit`,
    taskResult: `${SUBJECT_ROOT}.*.tasks.result`,
  },
  /** Request: SubtaskRequest → WorkerResult. Internal to the runtime. */
  workerRun: (skill: string) => `${SUBJECT_ROOT}.internal.skills.${skill}`,
  /** Request: JudgeRequest → Verdict. Internal to the runtime. */
  judgeVerify: `${SUBJECT_ROOT}.internal.judge.verify`,
  /** Publish: Verdict, for routers that learn online from the judge. */
  verdictFeed: `${SUBJECT_ROOT}.internal.verdicts`,
  /** Publish: human review requests; a reply carries the human decision. */
  humanReview: `${SUBJECT_ROOT}.internal.human.review`,
} as const;

/** Extracts the tenant token from a tenant-scoped subject (`troupe.v1.<tenant>.…`). */
export function tenantOfSubject(subject: string): string | undefined {
  const parts = subject.split('.');
  return parts[0] === 'troupe' && parts[1] === 'v1' && parts[2] !== 'internal' ? parts[2] : undefined;
}
