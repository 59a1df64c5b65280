import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { NatsConnection } from '@nats-io/nats-core';
import { launchService, type LaunchedService } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { Kvm } from '@nats-io/kv';
import { TaskRecordWire, serveDashboard, type ServedDashboard } from '@troupe/dashboard';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { modelsDirectory, repoRoot } from './paths.js';

/** Debian's chromium (scripts/install.sh installs it); flags for a closed network and no GPU. */
const CHROMIUM = process.env.TROUPE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const artifacts = join(repoRoot, 'test', 'artifacts');

/** Records every `node:status` the page shows, across re-renders, so a state seen for 100 ms is not missed. */
function watchNodeStates(page: Page): Promise<void> {
  return page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenStates: string[] }).seenStates = seen;
    const scan = () => {
      for (const element of document.querySelectorAll('[data-node]')) {
        const state = `${element.getAttribute('data-node')}:${element.getAttribute('data-status')}`;
        if (seen.at(-1) !== state && !seen.includes(state)) seen.push(state);
      }
    };
    new MutationObserver(scan).observe(document.getElementById('main')!, { childList: true, subtree: true });
    scan();
  });
}

describe('the dashboard in a real browser: live DAG, economics and services from NATS', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let services: LaunchedService[] = [];
  let dashboard: ServedDashboard;
  let browser: Browser;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `no chromium at ${CHROMIUM}: run scripts/install.sh (apt-get install chromium)`).toBe(true);
    server = await startNatsServer();
    const directory = mkdtempSync(join(tmpdir(), 'troupe-dashboard-'));
    const registry = join(directory, 'models.json');
    // The local model runs every node; the priced reference model is never called, it only prices
    // what the same nodes would have cost (the savings the dashboard charts).
    writeFileSync(
      registry,
      JSON.stringify({
        referenceModel: 'gpt-4o',
        models: [
          {
            id: 'stories260k',
            provider: 'llama-cpp',
            path: 'stories260K.gguf',
            contextSize: 2048,
            capabilities: ['chat', 'json'],
            threads: 1,
            maxConcurrency: 2,
          },
          {
            id: 'gpt-4o',
            provider: 'openai',
            model: 'gpt-4o',
            apiKeyEnv: 'TROUPE_TEST_UNSET_KEY',
            pricing: { inputPerMTok: 2.5, outputPerMTok: 10 },
          },
        ],
      }),
    );
    const env = {
      TROUPE_NATS_URL: server.url,
      TROUPE_MODELS_DIR: modelsDirectory(),
      TROUPE_MODELS_CONFIG: registry,
      TROUPE_DEFAULT_MODEL: 'stories260k',
      TROUPE_ROUTING: 'off',
      TROUPE_MAX_OUTPUT_TOKENS: '96',
      TROUPE_TRACES: `file:${join(directory, 'spans.jsonl')}`,
    };
    [services, dashboard, browser] = await Promise.all([
      // The planner last, so it finds the worker's skills; ready within seconds on an idle machine,
      // the margin is for a loaded CI box.
      (async () => {
        const launch = (name: 'judge' | 'worker' | 'planner') => launchService(name, env, { readyTimeoutMs: 90_000 });
        const first = await Promise.all([launch('judge'), launch('worker')]);
        return [...first, await launch('planner')];
      })(),
      serveDashboard({ natsUrl: server.url }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
    connection = await connectNats({ servers: server.url });
    mkdirSync(artifacts, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await connection?.drain();
    await Promise.all(services.map((service) => service.stop()));
    await server?.stop();
  });

  it('draws the running task as a graph that updates live, then the economics and the services', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const client = createTroupeClient({ connection });
    const taskId = `browser-${Date.now()}`;

    // Open the task's page before it exists, then submit it: every state arrives over SSE.
    await page.goto(`${dashboard.url}#task/default/${taskId}`);
    await page.waitForSelector('#live.on');
    await watchNodeStates(page);
    const accepted = await client.submit({
      id: taskId,
      pipeline: 'extract-logic-synthesis',
      input: 'Ada lives in Paris and wants a refund for a broken kettle.',
    });
    const result = await client.result(accepted.taskId, { waitMs: 90_000 });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');

    // Every node of the result is drawn with its model and verdict.
    await page.waitForFunction((count) => document.querySelectorAll('[data-node][data-verdict="pass"]').length === count, result.nodes.length, {
      timeout: 60_000,
    });
    for (const node of result.nodes) {
      const drawn = page.locator(`svg.dag [data-node="${node.nodeId}"]`);
      await expect(drawn.getAttribute('data-model')).resolves.toBe(node.model);
      await expect(drawn.getAttribute('data-verdict')).resolves.toBe(node.verdict?.decision);
      await expect(drawn.textContent()).resolves.toContain(node.model);
    }
    // A node was seen in a non-final state before it was seen done: the graph updated live.
    const seen = await page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
    const live = result.nodes.find((node) => {
      const running = seen.findIndex((state) => state === `${node.nodeId}:running` || state === `${node.nodeId}:judging`);
      return running >= 0 && seen.indexOf(`${node.nodeId}:succeeded`) > running;
    });
    expect(live, `states seen: ${seen.join(', ')}`).toBeDefined();
    await expect(page.locator('.task-head .trace').textContent()).resolves.toMatch(/trace [0-9a-f]{32}|no trace id/);
    await page.screenshot({ path: join(artifacts, 'dashboard-task.png'), fullPage: true });

    // Two more tasks, without progress events: the task records alone carry them to the dashboard.
    const more = await Promise.all([
      client.run({ pipeline: 'extract-logic-synthesis', input: 'Bo in Lyon was charged twice.' }),
      client.run({ pipeline: 'extract-logic-synthesis', input: 'Cy asks for an invoice copy.' }),
    ]);
    await page.goto(`${dashboard.url}#economics`);
    await page
      .waitForFunction(() => document.querySelectorAll('svg.cost-chart circle.point.actual').length >= 3, undefined, { timeout: 60_000 })
      .finally(async () => {
        // What the dashboard held, and the stored records as it would parse them: the first look when this fails.
        const kv = await new Kvm(connection).open('troupe_tasks');
        const records = [];
        for await (const key of await kv.keys()) {
          const parsed = TaskRecordWire.safeParse((await kv.get(key))?.json());
          records.push({ key, parsed: parsed.success ? { status: parsed.data.status, result: parsed.data.result?.status } : parsed.error.issues });
        }
        const runs = more.map((run) => ({ id: run.taskId, status: run.status, error: run.error }));
        writeFileSync(
          join(artifacts, 'dashboard-snapshot.json'),
          JSON.stringify({ runs, records, snapshot: dashboard.dashboard.snapshot() }, null, 2),
        );
      });
    expect(await page.locator('svg.cost-chart circle.point.reference').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('svg.share-chart circle.segment').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('svg.bars-chart rect.bar').count()).toBeGreaterThanOrEqual(3);
    await expect(page.locator('main').textContent()).resolves.toContain('stories260k');
    await page.screenshot({ path: join(artifacts, 'dashboard-economics.png'), fullPage: true });

    await page.goto(`${dashboard.url}#tasks`);
    await page.waitForFunction(() => document.querySelectorAll('table.tasks tr[data-status="completed"]').length >= 3, undefined, {
      timeout: 60_000,
    });
    await page.screenshot({ path: join(artifacts, 'dashboard-tasks.png'), fullPage: true });

    await page.goto(`${dashboard.url}#services`);
    await page.waitForFunction(() => document.querySelectorAll('[data-service]').length >= 3, undefined, { timeout: 60_000 });
    const names = await page.locator('[data-service]').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-service')));
    expect(new Set(names)).toEqual(new Set(['troupe-judge', 'troupe-planner', 'troupe-worker']));
    await page.screenshot({ path: join(artifacts, 'dashboard-services.png'), fullPage: true });
    await page.close();
  }, 180_000); // ~15 s on an idle 2-core box; the margin is for a loaded one
});
