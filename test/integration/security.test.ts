// "No one in who shouldn't be": planner, worker and judge run as separate processes under the
// least-privilege permissions that `troupe permissions` prints, each with its own planted
// password; tenants acme and globex connect with theirs. Token, nkey and TLS auth get their own
// servers. Secrets must never reach a log line, a trace or an error reply.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm } from '@nats-io/kv';
import { Svcm } from '@nats-io/services';
import { launchService, type ServiceName } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { DurableResourceNames, TroupeError, kvBucketPermissions, subjects, tenantInboxPrefix } from '@troupe/protocol';
import { connectNats, requestJson } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { startEchoCluster, type EchoCluster } from '../bench/echo-cluster.js';
import { nkeyUser, permissionViolations, plantedSecret, tlsFiles, troupePermissions } from './security-fixtures.js';

const directory = mkdtempSync(join(tmpdir(), 'troupe-security-'));
const natsLog = join(directory, 'nats.log');
const spans = join(directory, 'spans.jsonl');
const secrets = {
  planner: plantedSecret('planner'),
  worker: plantedSecret('worker'),
  judge: plantedSecret('judge'),
  operator: plantedSecret('operator'),
  acme: plantedSecret('acme'),
  globex: plantedSecret('globex'),
};
const errorReplies: string[] = [];

/** The TroupeError a promise rejects with (and every error reply is kept for the leak check). */
async function troupeErrorOf(promise: Promise<unknown>): Promise<TroupeError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(TroupeError);
  errorReplies.push(JSON.stringify({ message: (error as TroupeError).message, details: (error as TroupeError).details, cause: String((error as TroupeError).cause) }));
  return error as TroupeError;
}

function tenantConnection(server: NatsServer, tenant: 'acme' | 'globex'): Promise<NatsConnection> {
  // A tenant reads replies only in its own inbox, so it must say which one that is.
  return connect({ servers: server.url, user: tenant, pass: secrets[tenant], inboxPrefix: tenantInboxPrefix(tenant), name: `${tenant}-client` });
}

describe('auth and least-privilege permissions, services as separate processes', () => {
  let server: NatsServer;
  let cluster: EchoCluster;
  let acme: NatsConnection;
  let globex: NatsConnection;

  beforeAll(async () => {
    process.env.TROUPE_PLANNER_PASSWORD = secrets.planner;
    process.env.TROUPE_WORKER_PASSWORD = secrets.worker;
    process.env.TROUPE_JUDGE_PASSWORD = secrets.judge;
    process.env.TROUPE_OPERATOR_PASSWORD = secrets.operator;
    process.env.TROUPE_TENANT_ACME_PASSWORD = secrets.acme;
    process.env.TROUPE_TENANT_GLOBEX_PASSWORD = secrets.globex;
    const authorization = troupePermissions(['--tenant', 'acme', '--tenant', 'globex', '--service', 'planner', '--service', 'worker', '--service', 'judge', '--service', 'operator']);
    expect(authorization).not.toContain('PLANTED'); // the printed config names variables, never secrets
    server = await startNatsServer({ config: `logfile: ${JSON.stringify(natsLog)}\n${authorization}` });
    cluster = await startEchoCluster({
      server,
      pricedModel: true, // so the worker also opens the budget ledger and the shared breakers
      env: { TROUPE_LOG_LEVEL: 'debug', TROUPE_TRACES: `file:${spans}` },
      envFor: (name: ServiceName) => ({ TROUPE_NATS_USER: `troupe-${name}`, TROUPE_NATS_PASSWORD: secrets[name] }),
    });
    acme = await tenantConnection(server, 'acme');
    globex = await tenantConnection(server, 'globex');
  }, 90_000);

  afterAll(async () => {
    await acme?.close();
    await globex?.close();
    await cluster?.stop();
    await server?.stop();
  });

  it('lets services authenticate from env and a tenant run tasks with progress under the printed permissions', async () => {
    const client = createTroupeClient({ connection: acme, tenant: 'acme', timeoutMs: 30_000 });
    const { events, result } = client.runWithProgress({ pipeline: 'noop-chain', input: 'acme input' });
    const seen: string[] = [];
    for await (const event of events) seen.push(event.type);
    const outcome = await result;
    expect(outcome.status).toBe('completed');
    expect(outcome.tenant).toBe('acme');
    expect(seen[0]).toBe('task.accepted');
    expect(seen.at(-1)).toBe('task.completed');
    // A budget makes the planner write the limit to the ledger and the worker reserve against it.
    expect((await client.run({ pipeline: 'noop', input: 'with a budget', budgetUsd: 1 })).status).toBe('completed');
    const accepted = await client.submit({ pipeline: 'noop', input: 'later' });
    expect((await client.result(accepted.taskId, { waitMs: 10_000 })).status).toBe('completed');
  });

  it("refuses a tenant's publish on another tenant's subjects, internal subjects and its own durable queue with PERMISSION_DENIED", async () => {
    const intoGlobex = createTroupeClient({ connection: acme, tenant: 'globex', timeoutMs: 5_000 });
    expect((await troupeErrorOf(intoGlobex.run({ pipeline: 'noop', input: 'x' }))).code).toBe('PERMISSION_DENIED');
    expect((await troupeErrorOf(intoGlobex.submit({ pipeline: 'noop', input: 'x' }))).code).toBe('PERMISSION_DENIED');
    expect((await troupeErrorOf(intoGlobex.result('any-task'))).code).toBe('PERMISSION_DENIED');
    for (const subject of [subjects.workerRun('generate'), subjects.judgeVerify, subjects.humanReview, DurableResourceNames.taskQueue('acme'), '$SRV.INFO', '$JS.API.INFO']) {
      const error = await troupeErrorOf(requestJson(acme, subject, { pipeline: 'noop', input: 'x' }, { timeoutMs: 5_000 }));
      expect(error.code, subject).toBe('PERMISSION_DENIED');
    }
    const logged = permissionViolations(natsLog).filter((violation) => violation.user === 'acme' && violation.kind === 'Publish');
    expect(logged.map((violation) => violation.subject)).toEqual(expect.arrayContaining([subjects.taskRun('globex'), subjects.workerRun('generate'), DurableResourceNames.taskQueue('acme')]));
  });

  it("refuses a tenant's subscription to another tenant's events and replies, and to the shared inbox", async () => {
    const globexClient = createTroupeClient({ connection: globex, tenant: 'globex', timeoutMs: 30_000 });
    const { taskId, events, result } = globexClient.runWithProgress({ pipeline: 'noop', input: 'globex private' });
    for (const subject of [subjects.taskEvents('globex', taskId), subjects.taskEvents('globex', '*'), `${tenantInboxPrefix('globex')}.>`, '_INBOX.>', subjects.anyTenant.taskRun, '>']) {
      const subscription = acme.subscribe(subject);
      const closedWith = await subscription.closed;
      expect(closedWith, subject).toBeInstanceOf(Error);
      expect((closedWith as Error & { operation?: string }).operation).toBe('subscription');
      expect(subscription.getProcessed(), subject).toBe(0);
    }
    // Meanwhile globex itself still gets its own events and result.
    const seen: string[] = [];
    for await (const event of events) seen.push(event.type);
    expect((await result).status).toBe('completed');
    expect(seen).toContain('task.completed');
    const logged = permissionViolations(natsLog).filter((violation) => violation.user === 'acme' && violation.kind === 'Subscription');
    expect(logged.map((violation) => violation.subject)).toEqual(expect.arrayContaining([subjects.taskEvents('globex', taskId), `${tenantInboxPrefix('globex')}.>`, '_INBOX.>']));
  });

  it("keeps task state per tenant: globex cannot read acme's result by id, even naming acme in the body", async () => {
    const acmeClient = createTroupeClient({ connection: acme, tenant: 'acme', timeoutMs: 30_000 });
    const globexClient = createTroupeClient({ connection: globex, tenant: 'globex', timeoutMs: 30_000 });
    const mine = await acmeClient.run({ id: 'shared-id', pipeline: 'noop', input: 'acme confidential' });
    expect(mine.status).toBe('completed');
    expect((await troupeErrorOf(globexClient.result('shared-id'))).code).toBe('NOT_FOUND');
    const askingForAcme = requestJson(globex, subjects.taskResult('globex'), { taskId: 'shared-id', tenant: 'acme' }, { timeoutMs: 5_000 });
    expect((await troupeErrorOf(askingForAcme)).code).toBe('NOT_FOUND');
    const submittingAsAcme = requestJson(globex, subjects.taskRun('globex'), { pipeline: 'noop', input: 'x', tenant: 'acme' }, { timeoutMs: 5_000 });
    expect((await troupeErrorOf(submittingAsAcme)).code).toBe('PERMISSION_DENIED');
    // The task records live in KV; a tenant cannot read them there either.
    const kvRead = requestJson(globex, `$JS.API.DIRECT.GET.KV_${DurableResourceNames.tasksBucket}.$KV.${DurableResourceNames.tasksBucket}.acme.shared-id`, {}, { timeoutMs: 5_000 });
    expect((await troupeErrorOf(kvRead)).code).toBe('PERMISSION_DENIED');
    // The same id under globex is globex's own, separate task.
    const theirs = await globexClient.run({ id: 'shared-id', pipeline: 'noop', input: 'globex data' });
    expect(theirs.tenant).toBe('globex');
    expect(JSON.stringify(theirs)).not.toContain('acme confidential');
    expect(JSON.stringify(await acmeClient.result('shared-id'))).toContain('acme confidential');
  });

  it('answers oversized tasks with PAYLOAD_TOO_LARGE and keeps serving', async () => {
    const client = createTroupeClient({ connection: acme, tenant: 'acme', timeoutMs: 30_000 });
    expect((await troupeErrorOf(client.run({ pipeline: 'noop', input: 'x'.repeat(600 * 1024) }))).code).toBe('PAYLOAD_TOO_LARGE');
    expect((await troupeErrorOf(client.run({ pipeline: 'noop', input: 'x'.repeat(2 * 1024 * 1024) }))).code).toBe('PAYLOAD_TOO_LARGE');
    expect((await client.run({ pipeline: 'noop', input: 'small' })).status).toBe('completed');
    expect(cluster.unexpectedExits()).toEqual([]);
  });

  it('lets the operator read the micro-service API but not run tasks', async () => {
    const operator = await connectNats({ servers: server.url, user: 'troupe-operator', pass: secrets.operator, maxReconnectAttempts: 0 });
    try {
      const names = new Set<string>();
      for await (const info of await new Svcm(operator).client({ strategy: 'stall', stall: 200, maxWait: 2_000 }).info()) names.add(info.name);
      expect([...names].sort()).toEqual(['troupe-judge', 'troupe-planner', 'troupe-worker']);
      expect((await troupeErrorOf(requestJson(operator, subjects.taskRun('acme'), { pipeline: 'noop', input: 1 }, { timeoutMs: 5_000 }))).code).toBe('PERMISSION_DENIED');
    } finally {
      await operator.drain();
    }
  });

  it('rejects a wrong password with AUTH_FAILED and never repeats it, in options or in the URL', async () => {
    const wrong = plantedSecret('wrong');
    const viaOptions = await troupeErrorOf(connectNats({ servers: server.url, user: 'acme', pass: wrong, maxReconnectAttempts: 0 }));
    expect(viaOptions.code).toBe('AUTH_FAILED');
    const viaUrl = await troupeErrorOf(connectNats({ servers: `nats://acme:${wrong}@127.0.0.1:${server.port}`, maxReconnectAttempts: 0 }));
    expect(viaUrl.code).toBe('AUTH_FAILED');
    for (const error of [viaOptions, viaUrl]) expect(JSON.stringify({ message: error.message, cause: String(error.cause), stack: error.stack })).not.toContain(wrong);
  });

  it('keeps planted secrets out of service logs, traces and error replies, including a failed start and a URL with credentials', async () => {
    const wrong = plantedSecret('judge-wrong');
    const failedStart = await launchService('judge', { TROUPE_NATS_URL: server.url, TROUPE_NATS_USER: 'troupe-judge', TROUPE_NATS_PASSWORD: wrong, TROUPE_LOG_LEVEL: 'trace' }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(failedStart).toContain('AUTH_FAILED');
    expect(failedStart).not.toContain(wrong);
    // nats.js v3 ignores credentials in the URL (docs/security.md says to use the variables), but the
    // URL is still logged on failure: it must be redacted.
    const inUrl = await launchService('judge', { TROUPE_NATS_URL: `nats://troupe-judge:${secrets.judge}@127.0.0.1:${server.port}`, TROUPE_LOG_LEVEL: 'trace' }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(inUrl).toContain('nats://***@127.0.0.1');
    expect(inUrl).not.toContain(secrets.judge);

    const everySecret = Object.values(secrets);
    for (const name of ['planner', 'worker', 'judge'] as const) {
      const logs = cluster.logsOf(name);
      expect(logs, name).toContain('"msg":"ready"'); // the logs were captured from the start
      for (const secret of everySecret) expect(logs, name).not.toContain(secret);
    }
    expect(cluster.logsOf('planner')).toContain('"code":"PERMISSION_DENIED"'); // error paths were logged too
    const traces = readFileSync(spans, 'utf8');
    expect(traces).toContain('troupe.planner.run');
    for (const secret of everySecret) expect(traces).not.toContain(secret);
    expect(errorReplies.length).toBeGreaterThan(10);
    for (const reply of errorReplies) for (const secret of everySecret) expect(reply).not.toContain(secret);
  });

  it('ran every service without a single permission violation and without a crash', () => {
    const services = new Set(['troupe-planner', 'troupe-worker', 'troupe-judge']);
    const byServices = permissionViolations(natsLog).filter((violation) => services.has(violation.user));
    expect(byServices).toEqual([]);
    expect(permissionViolations(natsLog).length).toBeGreaterThan(0); // the tenant's were logged, so the log is read
    expect(cluster.unexpectedExits()).toEqual([]);
  });
});

describe('token, nkey and TLS authentication', () => {
  const verify = { taskId: 't1', tenant: 'acme', nodeId: 'n1', attempt: 1, skill: 'extract', output: { ok: true } };
  const judgePublish = '{ allow: ["troupe.v1.internal.verdicts"] }';

  it('connects services and clients with a token, and rejects a wrong one without echoing it', async () => {
    const token = plantedSecret('token');
    await using server = await startNatsServer({ jetstream: false, config: `authorization { token: ${JSON.stringify(token)} }` });
    const judge = await launchService('judge', { TROUPE_NATS_URL: server.url, TROUPE_NATS_TOKEN: token, TROUPE_LOG_LEVEL: 'debug' });
    const client = await connectNats({ servers: server.url, token, maxReconnectAttempts: 0 });
    try {
      expect(await requestJson(client, subjects.judgeVerify, verify, { timeoutMs: 10_000 })).toMatchObject({ decision: 'pass' });
      const wrong = plantedSecret('wrong-token');
      const error = await troupeErrorOf(connectNats({ servers: server.url, token: wrong, maxReconnectAttempts: 0 }));
      expect(error.code).toBe('AUTH_FAILED');
      expect(error.message).not.toContain(wrong);
    } finally {
      await client.drain();
      await judge.stop();
    }
    expect(judge.logs()).not.toContain(token);
  });

  it('connects services and clients with nkey seed files, and rejects an unknown nkey', async () => {
    const judgeKey = nkeyUser(directory, 'judge');
    const clientKey = nkeyUser(directory, 'client');
    const stranger = nkeyUser(directory, 'stranger');
    const users = [
      `{ nkey: ${judgeKey.publicKey}, permissions: { publish: ${judgePublish}, subscribe: { allow: ["troupe.v1.internal.judge.verify", "$SRV.*", "$SRV.*.troupe-judge", "$SRV.*.troupe-judge.*"] }, allow_responses: true } }`,
      `{ nkey: ${clientKey.publicKey} }`,
    ];
    await using server = await startNatsServer({ jetstream: false, config: `authorization { users = [\n${users.join('\n')}\n] }` });
    const judge = await launchService('judge', { TROUPE_NATS_URL: server.url, TROUPE_NATS_NKEY_SEED: judgeKey.seedFile, TROUPE_LOG_LEVEL: 'debug' });
    const client = await connectNats({ servers: server.url, nkeySeedFile: clientKey.seedFile, maxReconnectAttempts: 0 });
    try {
      expect(await requestJson(client, subjects.judgeVerify, verify, { timeoutMs: 10_000 })).toMatchObject({ decision: 'pass' });
      const error = await troupeErrorOf(connectNats({ servers: server.url, nkeySeedFile: stranger.seedFile, maxReconnectAttempts: 0 }));
      expect(error.code).toBe('AUTH_FAILED');
      expect(error.message).not.toContain(stranger.seed);
    } finally {
      await client.drain();
      await judge.stop();
    }
    expect(judge.logs()).not.toContain(judgeKey.seed);
  });

  it('connects over TLS with a CA file (and with a client certificate where the server demands one)', async () => {
    const tls = tlsFiles(directory);
    const serverTls = `cert_file: ${JSON.stringify(tls.serverCert)}\n  key_file: ${JSON.stringify(tls.serverKey)}\n  ca_file: ${JSON.stringify(tls.caFile)}`;
    await using server = await startNatsServer({ jetstream: false, config: `tls {\n  ${serverTls}\n}` });
    const judge = await launchService('judge', { TROUPE_NATS_URL: server.url, TROUPE_NATS_TLS_CA: tls.caFile });
    const client = await connectNats({ servers: server.url, tls: { caFile: tls.caFile }, maxReconnectAttempts: 0 });
    try {
      expect(client.info?.tls_required).toBe(true);
      expect(await requestJson(client, subjects.judgeVerify, verify, { timeoutMs: 10_000 })).toMatchObject({ decision: 'pass' });
      // Without the CA the self-signed chain is refused.
      expect((await troupeErrorOf(connectNats({ servers: server.url, maxReconnectAttempts: 0 }))).code).toBe('UNAVAILABLE');
    } finally {
      await client.drain();
      await judge.stop();
    }

    await using mutual = await startNatsServer({ jetstream: false, config: `tls {\n  ${serverTls}\n  verify: true\n}` });
    const certified = await launchService('judge', { TROUPE_NATS_URL: mutual.url, TROUPE_NATS_TLS_CA: tls.caFile, TROUPE_NATS_TLS_CERT: tls.clientCert, TROUPE_NATS_TLS_KEY: tls.clientKey });
    const mutualClient = await connectNats({ servers: mutual.url, tls: { caFile: tls.caFile, certFile: tls.clientCert, keyFile: tls.clientKey }, maxReconnectAttempts: 0 });
    try {
      expect(await requestJson(mutualClient, subjects.judgeVerify, verify, { timeoutMs: 10_000 })).toMatchObject({ decision: 'pass' });
      // No client certificate: the server ends the handshake (the client would wait 20 s by default).
      const refused = await connect({ servers: mutual.url, tls: { caFile: tls.caFile }, maxReconnectAttempts: 0, timeout: 2_000 }).then(
        async (connection) => {
          await connection.close();
          return undefined;
        },
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(Error);
    } finally {
      await mutualClient.drain();
      await certified.stop();
    }
  });
});

describe('KV bucket permissions', () => {
  it('let a service create, write, read and watch its own bucket and no other', async () => {
    const permissions = kvBucketPermissions('troupe_breakers', { watch: true });
    const password = plantedSecret('kv');
    const user = { user: 'kv', password, permissions: { publish: { allow: permissions.publish }, subscribe: { allow: permissions.subscribe } } };
    await using server = await startNatsServer({ config: `authorization { users = [ ${JSON.stringify(user)} ] }` });
    const connection = await connectNats({ servers: server.url, user: 'kv', pass: password, maxReconnectAttempts: 0 });
    try {
      const kv = await new Kvm(connection).create('troupe_breakers', { history: 1 });
      const watcher = await kv.watch({ key: '>' });
      await kv.put('openai.gpt', 'open');
      expect((await kv.get('openai.gpt'))?.string()).toBe('open');
      for await (const entry of watcher) {
        expect(entry.key).toBe('openai.gpt');
        break;
      }
      const other = await new Kvm(connection).create('troupe_tasks').then(() => 'created', (error: Error) => error.message);
      expect(other).toMatch(/permission/i);
    } finally {
      await connection.drain();
    }
  });
});
