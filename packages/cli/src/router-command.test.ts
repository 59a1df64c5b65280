import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { deployRouterCommand, showRouterCommand, trainRouterCommand } from './router-command.js';

// Recorded outcomes in the RouterBench row format: the cheap model is right on "easy" prompts only.
const rows = Array.from({ length: 60 }, (_, index) => {
  const easy = index % 3 !== 0;
  return {
    id: `r${index}`,
    task: 'qa',
    prompt: `${easy ? 'easy' : 'hard'} question number ${index}`,
    models: { cheap: { score: easy ? 1 : 0, cost_usd: 0.0001 }, mid: { score: easy ? 1 : 0, cost_usd: 0.0002 }, strong: { score: 1, cost_usd: 0.01 } },
    responses: { cheap: easy ? 'A' : 'B', mid: easy ? 'A' : 'C', strong: 'A' },
  };
});

describe('troupe router train | deploy | show', () => {
  let server: NatsServer;
  const directory = mkdtempSync(join(tmpdir(), 'troupe-router-cli-'));
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('trains from recorded rows, deploys to NATS KV and shows what is deployed', async () => {
    const data = join(directory, 'rows.jsonl');
    writeFileSync(data, rows.map((row) => JSON.stringify(row)).join('\n'));
    const out = join(directory, 'router.json');
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    const artifact = await trainRouterCommand({ data, out, costShare: 0.5, folds: 3, write });
    expect(artifact.cascades?.groups.qa).toEqual([{ model: 'cheap', consensusWith: 'mid' }, { model: 'strong' }]);
    expect(lines.at(-1)).toContain('troupe router deploy');

    const deployed = await deployRouterCommand(out, { nats: server.url, write });
    expect(deployed.version).toBe(1);
    const shown: string[] = [];
    const document = await showRouterCommand({ nats: server.url, write: (line) => shown.push(line) });
    expect(document?.version).toBe(1);
    expect(shown.join('\n')).toMatch(/router version 1/);
    expect(shown.join('\n')).toMatch(/cascade qa: cheap =\? mid > strong/);
    expect(shown.join('\n')).toMatch(/estimated quality for qa: /);
  }, 60_000);

  it('rejects a file that is not a router artifact with a typed error', async () => {
    const bad = join(directory, 'bad.json');
    writeFileSync(bad, JSON.stringify({ kind: 'something-else' }));
    await expect(deployRouterCommand(bad, { nats: server.url, write: () => undefined })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
