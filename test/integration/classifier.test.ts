import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { openClassifierStore, parseClassifierArtifact, parseTrainingRows, trainFromEmbeddings, type ClassifierStore } from '@troupe/classify';
import { launchService, type LaunchedService } from '@troupe/cli';
import { supportTriage } from '@troupe/pipelines';
import { createTroupeClient, type TroupeClient } from '@troupe/client';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { modelsDirectory, repoRoot } from './paths.js';

const run = promisify(execFile);
const troupe = join(repoRoot, 'packages/cli/bin/troupe.mjs');
const tickets = join(repoRoot, 'test/fixtures/triage');
// One thread: tests share two cores with other suites, and spinning llama.cpp threads starve each other.
const embedding = { id: 'all-minilm-l6-v2', provider: 'llama-cpp', path: 'all-MiniLM-L6-v2-F16.gguf', contextSize: 512, capabilities: ['embedding'], threads: 1, timeoutMs: 120_000 };
const labelsSchema = { type: 'object', properties: { category: { type: 'string', enum: ['faq', 'simple', 'complex'] } }, required: ['category'] };

interface Classified {
  category: string;
  confidence: number;
  covered: boolean;
  classifierVersion: string;
}

describe('a classifier trained with the CLI, deployed to NATS KV, served and hot-swapped by a separate worker process', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let client: TroupeClient;
  let store: ClassifierStore;
  let services: LaunchedService[] = [];
  const directory = mkdtempSync(join(tmpdir(), 'troupe-classifier-'));
  const artifactFile = join(directory, 'triage.classifier.json');

  beforeAll(async () => {
    server = await startNatsServer();
    const registry = join(directory, 'models.json');
    writeFileSync(
      registry,
      JSON.stringify({
        models: [
          embedding,
          { id: 'triage-classifier', provider: 'classifier', skills: ['classify'], capabilities: ['json'], classifier: { name: 'triage', embeddingModel: embedding.id, outputField: 'category' } },
          { id: 'tiny-classifier', provider: 'classifier', skills: ['classify'], capabilities: ['json'], classifier: { name: 'tiny', embeddingModel: embedding.id } },
          // The escalation step of support triage's cascade; a canned LLM stand-in keeps the test fast.
          { id: 'smollm2-135m-instruct', provider: 'template', skills: ['classify'], templates: { football: '{"category":"complex"}' } },
        ],
      }),
    );
    const pipelines = join(directory, 'pipelines.json');
    writeFileSync(
      pipelines,
      JSON.stringify([
        { name: 'triage-classify', nodes: [{ id: 'classify', skill: 'classify', model: 'triage-classifier', outputSchema: labelsSchema, checks: ['schema'], maxAttempts: 1 }] },
        { name: 'tiny-classify', nodes: [{ id: 'classify', skill: 'classify', model: 'tiny-classifier', checks: ['schema'], maxAttempts: 1 }] },
      ]),
    );
    // The CLI trains in its own process, on the labelled tickets, with the real MiniLM GGUF.
    const models = join(directory, 'cli-models.json');
    writeFileSync(models, JSON.stringify({ models: [embedding] }));
    const env = { ...process.env, TROUPE_MODELS_DIR: modelsDirectory() };
    const trained = await run(process.execPath, [troupe, 'classifier', 'train', '--data', join(tickets, 'tickets-train.jsonl'), '--name', 'triage', '--out', artifactFile, '--models-config', models], { env });
    expect(trained.stdout).toContain('cross-validated');
    await run(process.execPath, [troupe, 'classifier', 'deploy', artifactFile, '--nats', server.url], { env });
    const serviceEnv = { TROUPE_NATS_URL: server.url, TROUPE_MODELS_DIR: modelsDirectory(), TROUPE_MODELS_CONFIG: registry, TROUPE_PIPELINES: pipelines, TROUPE_SKILLS: 'classify', TROUPE_DURABLE: 'false' };
    services = await Promise.all([launchService('judge', serviceEnv), launchService('worker', serviceEnv), launchService('planner', serviceEnv)]);
    connection = await connectNats({ servers: server.url });
    client = createTroupeClient({ connection, timeoutMs: 30_000 });
    store = await openClassifierStore(connection);
  }, 120_000);

  afterAll(async () => {
    await connection?.drain();
    await Promise.all(services.map((service) => service.stop()));
    await server?.stop();
  });

  it('classifies held-out tickets over NATS with labels, confidence and the deployed version', async () => {
    const artifact = parseClassifierArtifact(JSON.parse(readFileSync(artifactFile, 'utf8')));
    const rows = parseTrainingRows(readFileSync(join(tickets, 'tickets-test.jsonl'), 'utf8'));
    let right = 0;
    for (const row of rows) {
      const result = await client.run({ pipeline: 'triage-classify', input: { ticket: row.text } });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      const output = result.output as Classified;
      expect(output.classifierVersion).toBe(artifact.version);
      expect(output.confidence).toBeGreaterThan(0);
      expect(result.nodes[0]?.costUsd).toBe(0);
      if (output.category === row.label) right += 1;
    }
    // MiniLM nearest-neighbour/softmax on 16 examples a label: the MANIFEST saw 13 of 14 right.
    expect(right / rows.length).toBeGreaterThanOrEqual(0.75);
  });

  it("runs support triage's own classify node: the classifier answers when sure and escalates when not", async () => {
    const plan = { name: 'triage-classify-node', nodes: [supportTriage.nodes[0]!] };
    expect(plan.nodes[0]!.cascade?.[0]?.model).toBe('triage-classifier');
    const sure = await client.run({ plan, input: { ticket: 'What are your opening hours on weekends?' } });
    expect(sure.status, JSON.stringify(sure.error)).toBe('completed');
    expect(sure.nodes[0]).toMatchObject({ model: 'triage-classifier', output: { category: 'faq', covered: true } });
    expect(sure.nodes[0]?.calls).toHaveLength(1);
    // Nothing like any ticket: under the cross-validated threshold, so the gate escalates to the LLM step.
    const unsure = await client.run({ plan, input: { ticket: 'Who won the football match yesterday?' } });
    expect(unsure.status, JSON.stringify(unsure.error)).toBe('completed');
    expect(unsure.nodes[0]?.model).toBe('smollm2-135m-instruct');
    expect(unsure.nodes[0]?.output).toEqual({ category: 'complex' });
    expect(unsure.nodes[0]?.calls?.map((call) => [call.model, call.decision])).toEqual([
      ['triage-classifier', expect.not.stringMatching(/^pass$/)],
      ['smollm2-135m-instruct', undefined], // the last, ungated step is accepted as is
    ]);
  });

  it('switches every worker to a newly deployed version without a restart', async () => {
    const previous = parseClassifierArtifact(JSON.parse(readFileSync(artifactFile, 'utf8')));
    const retrained = parseClassifierArtifact({ ...previous, threshold: Math.min(0.99, previous.threshold + 0.01), version: `${previous.version}-b` });
    await store.deploy(retrained);
    const deadline = Date.now() + 15_000;
    let seen = '';
    while (Date.now() < deadline) {
      const result = await client.run({ pipeline: 'triage-classify', input: { ticket: 'Do you ship to Ireland?' } });
      seen = (result.output as Classified).classifierVersion;
      if (seen === retrained.version) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toBe(retrained.version);
  });

  it('refuses a broken artifact before writing anything, so workers keep the last good version', async () => {
    const current = await store.get('triage');
    const broken = { ...current!, weights: current!.weights.slice(0, 40) };
    await expect(store.deploy(broken)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect((await store.get('triage'))?.version).toBe(current!.version);
  });

  it('fails a task with a typed CONFIG_INVALID when the classifier was trained on other embeddings', async () => {
    const vectors = [
      [1, 0, 0, 0],
      [0.9, 0.1, 0, 0],
      [0, 1, 0, 0],
      [0.1, 0.9, 0, 0],
    ];
    const tiny = trainFromEmbeddings({ vectors, labels: ['a', 'a', 'b', 'b'] }, { name: 'tiny', dimensions: 4, embeddingModel: embedding.id });
    await store.deploy(tiny);
    const result = await client.run({ pipeline: 'tiny-classify', input: 'anything at all' });
    expect(result.status).toBe('failed');
    expect(JSON.stringify(result.nodes[0]?.error ?? result.error)).toMatch(/CONFIG_INVALID|384-d/);
  });

  it('fails with a typed error when the node asks for a label the deployed version does not know', async () => {
    const pipeline = {
      name: 'triage-extra-label',
      nodes: [{ id: 'classify', skill: 'classify', model: 'triage-classifier', checks: ['schema'], maxAttempts: 1, outputSchema: { ...labelsSchema, properties: { category: { type: 'string', enum: ['faq', 'simple', 'complex', 'legal'] } } } }],
    };
    const result = await client.run({ plan: pipeline, input: { ticket: 'Is there a student discount?' } });
    expect(result.status).toBe('failed');
    expect(result.nodes[0]?.error ?? result.error).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('does not know "legal"') });
  });
});
