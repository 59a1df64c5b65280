import { createActor, fromPromise, toPromise } from 'xstate';
import { describe, expect, it } from 'vitest';
import { PipelineDefinition, type ProgressEvent, type Verdict, type WorkerResult } from '@troupe/protocol';
import { plannerMachine, type JudgeNodeInput, type RunNodeInput } from './planner-machine.js';
import { checkPipeline } from './check-pipeline.js';

const pipeline = PipelineDefinition.parse({
  name: 'extract-logic-synthesis',
  nodes: [
    { id: 'extract', skill: 'extract' },
    { id: 'logic', skill: 'classify', dependsOn: ['extract'] },
    { id: 'summary', skill: 'summarize', dependsOn: ['extract'] },
    { id: 'answer', skill: 'generate', dependsOn: ['logic', 'summary'] },
  ],
});

const task = { id: 't1', tenant: 'default', pipeline: 'x', input: { text: 'hello' }, quality: 'balanced' as const, metadata: {} };

function result(input: RunNodeInput, model = 'echo'): WorkerResult {
  return {
    taskId: input.task.id,
    nodeId: input.node.id,
    attempt: input.attempt,
    output: { node: input.node.id, saw: Object.keys((input.input as { from: object }).from) },
    model,
    provider: 'echo',
    usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 },
    costUsd: 0.001,
    metrics: { latencyMs: 1, queueWaitMs: 0 },
    flagged: false,
  };
}

const pass = (input: JudgeNodeInput): Verdict => ({
  taskId: input.task.id, nodeId: input.node.id, attempt: input.attempt, decision: 'pass', reasons: [], checks: [],
});

describe('planner machine', () => {
  it('runs a DAG, with independent branches in parallel, and reports every node', async () => {
    let running = 0;
    let maxRunning = 0;
    const actor = createActor(
      plannerMachine.provide({
        actors: {
          runNode: fromPromise(async ({ input }: { input: RunNodeInput }) => {
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            await new Promise((resolve) => setTimeout(resolve, 10));
            running -= 1;
            return result(input);
          }),
          judgeNode: fromPromise(async ({ input }: { input: JudgeNodeInput }) => pass(input)),
        },
      }),
      { input: { task, pipeline, startedAt: Date.now() } },
    );
    const events: ProgressEvent[] = [];
    actor.on('progress', ({ event }) => events.push(event));
    actor.start();
    const output = await toPromise(actor);
    expect(output.status).toBe('completed');
    expect(output.output).toEqual({ node: 'answer', saw: ['logic', 'summary'] });
    expect(maxRunning).toBe(2);
    expect(output.costUsd).toBeCloseTo(0.004);
    expect(output.nodes.map((node) => node.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(events.at(-1)?.type).toBe('task.completed');
  });

  it('retries a node the judge rejects, passing the reasons, and charges both attempts', async () => {
    const feedbackSeen: string[][] = [];
    const actor = createActor(
      plannerMachine.provide({
        actors: {
          runNode: fromPromise(async ({ input }: { input: RunNodeInput }) => {
            feedbackSeen.push(input.feedback);
            return result(input);
          }),
          judgeNode: fromPromise(async ({ input }: { input: JudgeNodeInput }) =>
            input.node.id === 'logic' && input.attempt === 1
              ? { ...pass(input), decision: 'retry' as const, reasons: ['missing field "label"'] }
              : pass(input),
          ),
        },
      }),
      { input: { task, pipeline, startedAt: Date.now() } },
    );
    actor.start();
    const output = await toPromise(actor);
    expect(output.status).toBe('completed');
    const logic = output.nodes.find((node) => node.nodeId === 'logic')!;
    expect(logic.attempts).toBe(2);
    expect(logic.costUsd).toBeCloseTo(0.002);
    expect(feedbackSeen).toContainEqual(['missing field "label"']);
  });

  it('fails the task with a typed error when a node keeps failing verification', async () => {
    const actor = createActor(
      plannerMachine.provide({
        actors: {
          runNode: fromPromise(async ({ input }: { input: RunNodeInput }) => result(input)),
          judgeNode: fromPromise(async ({ input }: { input: JudgeNodeInput }) => ({ ...pass(input), decision: 'retry' as const, reasons: ['bad'] })),
        },
      }),
      { input: { task, pipeline, startedAt: Date.now() } },
    );
    actor.start();
    const output = await toPromise(actor);
    expect(output.status).toBe('failed');
    expect(output.error?.code).toBe('NODE_FAILED');
    expect(output.nodes.find((node) => node.nodeId === 'extract')?.attempts).toBe(2);
    expect(output.nodes.find((node) => node.nodeId === 'answer')?.status).toBe('pending');
  });

  it('reroutes to another model, excluding the one that failed', async () => {
    const excluded: string[][] = [];
    const single = PipelineDefinition.parse({ name: 'one', nodes: [{ id: 'only', skill: 'generate', maxAttempts: 1 }] });
    const actor = createActor(
      plannerMachine.provide({
        actors: {
          runNode: fromPromise(async ({ input }: { input: RunNodeInput }) => {
            excluded.push(input.excludeModels);
            return result(input, input.excludeModels.includes('small') ? 'large' : 'small');
          }),
          judgeNode: fromPromise(async ({ input }: { input: JudgeNodeInput }) =>
            input.result.model === 'small' ? { ...pass(input), decision: 'reroute' as const, reasons: ['too weak'] } : pass(input),
          ),
        },
      }),
      { input: { task, pipeline: single, startedAt: Date.now() } },
    );
    actor.start();
    const output = await toPromise(actor);
    expect(output.status).toBe('completed');
    expect(excluded).toEqual([[], ['small']]);
    expect(output.nodes[0]?.model).toBe('large');
  });

  it('escalates to a human when the judge says so, and follows the human decision', async () => {
    const single = PipelineDefinition.parse({ name: 'one', nodes: [{ id: 'reply', skill: 'generate' }] });
    const asked: string[] = [];
    const run = (approved: boolean) => {
      const actor = createActor(
        plannerMachine.provide({
          actors: {
            runNode: fromPromise(async ({ input }: { input: RunNodeInput }) => result(input)),
            judgeNode: fromPromise(async ({ input }: { input: JudgeNodeInput }) => ({ ...pass(input), decision: 'escalate' as const, reasons: ['refund over limit'] })),
            askHuman: fromPromise(async ({ input }: { input: { verdict: Verdict } }) => {
              asked.push(input.verdict.reasons.join());
              return { approved, reasons: [approved ? 'ok by support lead' : 'refused'] };
            }),
          },
        }),
        { input: { task, pipeline: single, startedAt: Date.now() } },
      );
      actor.start();
      return toPromise(actor);
    };
    const approved = await run(true);
    expect(approved.status).toBe('completed');
    expect(approved.nodes[0]?.verdict?.reasons).toEqual(['refund over limit', 'human: ok by support lead']);
    const refused = await run(false);
    expect(refused.status).toBe('failed');
    expect(refused.error?.code).toBe('NODE_FAILED');
    expect(asked).toEqual(['refund over limit', 'refund over limit']);
  });

  it('skips branches whose condition is false (triage routing)', async () => {
    const triage = PipelineDefinition.parse({
      name: 'triage',
      nodes: [
        { id: 'classify', skill: 'classify' },
        { id: 'faq', skill: 'faq', dependsOn: ['classify'], when: { node: 'classify', field: 'category', equals: 'faq' } },
        { id: 'expert', skill: 'generate', dependsOn: ['classify'], when: { node: 'classify', field: 'category', equals: 'complex' } },
        { id: 'verify', skill: 'verify', dependsOn: ['faq', 'expert'] },
      ],
    });
    const ran: string[] = [];
    const actor = createActor(
      plannerMachine.provide({
        actors: {
          runNode: fromPromise(async ({ input }: { input: RunNodeInput }) => {
            ran.push(input.node.id);
            return { ...result(input), output: input.node.id === 'classify' ? { category: 'faq' } : { answer: input.node.id } };
          }),
          judgeNode: fromPromise(async ({ input }: { input: JudgeNodeInput }) => pass(input)),
        },
      }),
      { input: { task, pipeline: triage, startedAt: Date.now() } },
    );
    actor.start();
    const output = await toPromise(actor);
    expect(ran).toEqual(['classify', 'faq', 'verify']);
    expect(output.nodes.find((node) => node.nodeId === 'expert')?.status).toBe('skipped');
  });

  it('resumes from persisted node states without re-running finished nodes', async () => {
    const ran: string[] = [];
    const done = { ...result({ task, node: pipeline.nodes[0]!, attempt: 1, input: { from: {} }, feedback: [], excludeModels: [] }) };
    const actor = createActor(
      plannerMachine.provide({
        actors: {
          runNode: fromPromise(async ({ input }: { input: RunNodeInput }) => {
            ran.push(`${input.node.id}#${input.attempt}`);
            return result(input);
          }),
          judgeNode: fromPromise(async ({ input }: { input: JudgeNodeInput }) => pass(input)),
        },
      }),
      {
        input: {
          task,
          pipeline,
          startedAt: Date.now(),
          nodes: {
            extract: { status: 'succeeded', attempt: 1, triedModels: ['echo'], feedback: [], judgeErrors: 0, result: done, costUsd: 0.001, usage: done.usage },
            logic: { status: 'running', attempt: 1, triedModels: [], feedback: [], judgeErrors: 0, costUsd: 0, usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 } },
          },
        },
      },
    );
    actor.start();
    const output = await toPromise(actor);
    expect(output.status).toBe('completed');
    expect(ran.sort()).toEqual(['answer#1', 'logic#1', 'summary#1']);
  });
});

describe('checkPipeline', () => {
  it('lists every problem: cycles, unknown parents and unknown skills', () => {
    const bad = PipelineDefinition.parse({
      name: 'bad',
      nodes: [
        { id: 'a', skill: 'extract', dependsOn: ['c'] },
        { id: 'b', skill: 'nope', dependsOn: ['a'] },
        { id: 'c', skill: 'extract', dependsOn: ['b', 'ghost'] },
      ],
    });
    expect(() => checkPipeline(bad, { knownSkills: new Set(['extract']) })).toThrow(
      /needs skill "nope".*depends on unknown node "ghost".*cycle/,
    );
  });
});
