import { describe, expect, it } from 'vitest';
import { DurableResourceNames, SharedBucketNames, judgePermissions, kvBucketPermissions, plannerPermissions, tenantInboxPrefix, tenantPermissions, workerPermissions, type SubjectPermissions } from './permissions.js';
import { subjects } from './subjects.js';

/** NATS subject matching: `*` is one token, `>` one or more trailing tokens. */
function matches(pattern: string, subject: string): boolean {
  const wanted = pattern.split('.');
  const given = subject.split('.');
  for (const [index, token] of wanted.entries()) {
    if (token === '>') return given.length > index;
    if (index >= given.length || (token !== '*' && token !== given[index])) return false;
  }
  return wanted.length === given.length;
}

const canPublish = (permissions: SubjectPermissions, subject: string) => permissions.publish.some((pattern) => matches(pattern, subject));
const canSubscribe = (permissions: SubjectPermissions, subject: string) => permissions.subscribe.some((pattern) => matches(pattern, subject));

describe('tenant permissions', () => {
  const acme = tenantPermissions('acme');

  it("lets a tenant use its own task subjects, events and inbox", () => {
    for (const subject of [subjects.taskRun('acme'), subjects.taskSubmit('acme'), subjects.taskResult('acme')]) expect(canPublish(acme, subject)).toBe(true);
    expect(canSubscribe(acme, subjects.taskEvents('acme', 'task-1'))).toBe(true);
    expect(canSubscribe(acme, `${tenantInboxPrefix('acme')}.Xyz123.7`)).toBe(true);
  });

  it("denies another tenant's subjects, internal subjects, the shared inbox and the service API", () => {
    const forbidden = [subjects.taskRun('globex'), subjects.taskSubmit('globex'), subjects.taskResult('globex'), subjects.workerRun('extract'), subjects.judgeVerify, subjects.humanReview, '$SRV.PING', '$JS.API.INFO'];
    // Its own durable queue and dead letters too: only the planner writes those, after admission checks.
    forbidden.push(DurableResourceNames.taskQueue('acme'), DurableResourceNames.deadTask('acme'), '$KV.troupe_tasks.acme.t1');
    for (const subject of forbidden) {
      expect(canPublish(acme, subject)).toBe(false);
    }
    for (const subject of [subjects.taskEvents('globex', 'task-1'), `${tenantInboxPrefix('globex')}.Xyz123.7`, '_INBOX.Xyz123.7', subjects.verdictFeed, subjects.taskRun('acme')]) {
      expect(canSubscribe(acme, subject)).toBe(false);
    }
  });

  it('gives tenants inbox prefixes that never overlap, even when one name is a prefix of another', () => {
    const ab = tenantPermissions('a_b');
    expect(canSubscribe(tenantPermissions('a'), `${tenantInboxPrefix('a_b')}.x.1`)).toBe(false);
    expect(canSubscribe(ab, `${tenantInboxPrefix('a')}.x.1`)).toBe(false);
  });
});

describe('service permissions', () => {
  it('let the planner serve every tenant and reach workers, judge and reviewers, but not listen to internal requests', () => {
    const planner = plannerPermissions();
    expect(canSubscribe(planner, subjects.taskRun('anyone'))).toBe(true);
    expect(canPublish(planner, subjects.workerRun('classify'))).toBe(true);
    expect(canPublish(planner, subjects.judgeVerify)).toBe(true);
    expect(canPublish(planner, subjects.taskEvents('anyone', 't'))).toBe(true);
    expect(canSubscribe(planner, subjects.workerRun('classify'))).toBe(false);
    expect(canPublish(planner, subjects.taskRun('anyone'))).toBe(false);
  });

  it('give durable services their own JetStream resources and nobody else\'s', () => {
    const planner = plannerPermissions();
    expect(canPublish(planner, DurableResourceNames.taskQueue('acme'))).toBe(true);
    expect(canPublish(planner, `$JS.API.CONSUMER.MSG.NEXT.${DurableResourceNames.tasksStream}.${DurableResourceNames.plannerConsumer}`)).toBe(true);
    expect(canPublish(planner, `$KV.${DurableResourceNames.tasksBucket}.acme.t1`)).toBe(true);
    expect(canPublish(planner, `$KV.${DurableResourceNames.nodeResultsBucket}.acme.t1.n.1`)).toBe(false);
    expect(canPublish(planner, `$JS.API.STREAM.DELETE.${DurableResourceNames.tasksStream}`)).toBe(false);
    expect(canPublish(plannerPermissions({ durable: false }), DurableResourceNames.taskQueue('acme'))).toBe(false);
    const worker = workerPermissions();
    expect(canPublish(worker, `$KV.${DurableResourceNames.nodeResultsBucket}.acme.t1.n.1`)).toBe(true);
    expect(canPublish(worker, `$KV.${DurableResourceNames.tasksBucket}.acme.t1`)).toBe(false);
    expect(canSubscribe(workerPermissions({ durable: false, budgets: false, kvBreakers: false }), '_INBOX.x.1')).toBe(false);
    expect(canPublish(planner, `$KV.${SharedBucketNames.budgets}.task.acme.t1`)).toBe(true);
    expect(canPublish(planner, `$KV.${SharedBucketNames.breakers}.openai`)).toBe(false);
    expect(canPublish(worker, `$JS.API.CONSUMER.CREATE.KV_${SharedBucketNames.breakers}`)).toBe(true); // breakers are watched
    expect(canPublish(kvBucketPermissions('b'), '$JS.API.CONSUMER.CREATE.KV_b')).toBe(false);
    expect(canPublish(kvBucketPermissions('b', { watch: true }), '$JS.API.CONSUMER.CREATE.KV_b')).toBe(true);
  });

  it('narrow a worker to the skills it serves', () => {
    const worker = workerPermissions({ skills: ['extract'] });
    expect(canSubscribe(worker, subjects.workerRun('extract'))).toBe(true);
    expect(canSubscribe(worker, subjects.workerRun('classify'))).toBe(false);
    expect(canSubscribe(worker, subjects.judgeVerify)).toBe(false);
    expect(canSubscribe(workerPermissions(), subjects.workerRun('classify'))).toBe(true);
  });

  it('keep the judge to verify requests and the verdict feed', () => {
    const judge = judgePermissions();
    expect(canSubscribe(judge, subjects.judgeVerify)).toBe(true);
    expect(canPublish(judge, subjects.verdictFeed)).toBe(true);
    expect(canPublish(judge, subjects.taskEvents('acme', 't'))).toBe(false);
    expect(canSubscribe(judge, subjects.taskRun('acme'))).toBe(false);
  });
});
