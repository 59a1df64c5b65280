import { request as httpRequest } from 'node:http';
import { Kvm } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
import { startNatsServer } from '@troupe/testing';
import { connectNats } from '@troupe/transport';
import { serveDashboard } from './serve-dashboard.js';
import type { DashboardSnapshot } from './views.js';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const response = await fetch(url, { headers, redirect: 'manual' });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

/** The first `snapshot` event of the SSE stream. */
function firstEvent(url: string, cookie: string): Promise<DashboardSnapshot> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { cookie } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /event: snapshot\ndata: (.*)\n\n/.exec(text);
        if (match) {
          request.destroy();
          resolve(JSON.parse(match[1]!) as DashboardSnapshot);
        }
      });
    });
    request.on('error', reject);
    request.end();
  });
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the dashboard over a real nats-server', () => {
  it('follows events, task records and dead letters, and scopes views by key', async () => {
    await using server = await startNatsServer();
    const connection = await connectNats({ servers: server.url });
    await using served = await serveDashboard({ connection, token: 'operator-token-0123456789', tenantKeys: { 'acme-key-0123456789': 'acme' } });
    const base = new URL(served.url).origin;

    // Events of two tenants, a record written after the dashboard started, a dead letter.
    connection.publish(
      'troupe.v1.acme.events.t1',
      encode({ type: 'plan.ready', taskId: 't1', at: 1, nodes: [{ id: 'a', skill: 'extract', dependsOn: [] }] }),
    );
    connection.publish('troupe.v1.acme.events.t1', encode({ type: 'node.started', taskId: 't1', at: 2, nodeId: 'a', attempt: 1, model: 'small' }));
    connection.publish('troupe.v1.other.events.t2', encode({ type: 'task.accepted', taskId: 't2', at: 3 }));
    connection.publish('troupe.v1.acme.events.t1', new TextEncoder().encode('{not json')); // ignored, not a crash
    const kv = await new Kvm(connection).create('troupe_tasks', { history: 1 });
    await kv.put(
      'acme.t3',
      JSON.stringify({
        task: { id: 't3', tenant: 'acme' },
        pipelineName: 'p',
        startedAt: 5,
        status: 'completed',
        nodes: {},
        result: { status: 'completed', nodes: [], costUsd: 0.5, savingsUsd: 1.5, latencyMs: 9 },
      }),
    );
    connection.publish(
      'troupe.v1.acme.tasks.dead',
      encode({
        tenant: 'acme',
        taskId: 't9',
        reason: { code: 'UNKNOWN_PIPELINE', message: 'no pipeline "x"' },
        deliveries: 1,
        queueSequence: 4,
        deadAt: 7,
        message: {},
      }),
    );
    await until(() => {
      const snapshot = served.dashboard.snapshot();
      return snapshot.tasks.length === 3 && snapshot.deadLetters.length === 1;
    });

    const admin = served.dashboard.snapshot();
    expect(admin.tasks.find((task) => task.id === 't1')?.nodes[0]).toMatchObject({ status: 'running', model: 'small' });
    expect(admin.tasks.find((task) => task.id === 't3')).toMatchObject({ status: 'completed', costUsd: 0.5, referenceCostUsd: 2 });
    expect(admin.deadLetters[0]).toMatchObject({ taskId: 't9', code: 'UNKNOWN_PIPELINE', reason: 'no pipeline "x"' });

    // Access: nothing without a credential, everything for the operator, one tenant for its key.
    expect((await get(`${base}/dashboard/`)).status).toBe(401);
    expect((await get(`${base}/dashboard/api/snapshot`, { authorization: 'Bearer wrong' })).status).toBe(401);
    const page = await get(`${base}/dashboard/`, { authorization: 'Bearer operator-token-0123456789' });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('t1');
    const login = await get(`${base}/dashboard/?token=acme-key-0123456789`);
    expect(login.status).toBe(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect(String(login.headers['set-cookie'])).toContain('HttpOnly');
    const scoped = await firstEvent(`${base}/dashboard/events`, cookie);
    expect(scoped.tenant).toBe('acme');
    expect(scoped.tasks.map((task) => task.id).sort()).toEqual(['t1', 't3']);
    expect(scoped.services).toBeUndefined();
    expect((await get(`${base}/dashboard/assets/app.js`)).body).toContain('EventSource');
    expect((await get(`${base}/elsewhere`)).status).toBe(404);

    await connection.drain();
  });

  it('refuses to listen beyond loopback without a credential', async () => {
    await using server = await startNatsServer();
    await expect(serveDashboard({ natsUrl: server.url, host: '0.0.0.0' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
