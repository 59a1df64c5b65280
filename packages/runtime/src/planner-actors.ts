import type { NatsConnection } from '@nats-io/nats-core';
import { fromPromise } from 'xstate';
import { WorkerResult, subjects, type JudgeRequest, type SubtaskRequest, type Verdict } from '@troupe/protocol';
import { plannerMachine, type HumanDecision } from '@troupe/planner';
import { requestJson, type Logger } from '@troupe/transport';
import type { PlannerHostOptions } from './planner-host.js';
import { retryWhileUnavailable, type ReconnectWatch } from './request-recovery.js';
import type { SkillDirectory } from './skill-directory.js';
import type { TaskRuns } from './task-runs.js';

/** What the planner's actors reach for: the connection, the host's options, its running tasks. */
export interface PlannerActorHost {
  connection: NatsConnection;
  options: PlannerHostOptions;
  logger: Logger;
  skills: SkillDirectory;
  reconnects: ReconnectWatch;
  runs: TaskRuns;
}

/**
 * THE PLACE WHERE THE HOST PROVIDES THE PLANNER MACHINE'S EFFECTS. Every actor the machine asks the
 * host for — a worker call, a judge call, a human review — is wired here over NATS and nowhere else,
 * so a change in what the machine asks for (a node lifecycle machine, cascades) is one edit here.
 */
export function providePlannerActors(host: PlannerActorHost): typeof plannerMachine {
  return plannerMachine.provide({
    actors: {
      runNode: fromPromise(async ({ input, signal }) => {
        // A retry is sent only once the task's record says so (see TaskRun.persisted).
        if (input.attempt > 1) await host.runs.get(input.task.tenant, input.task.id)?.persisted(input.node.id, input.attempt, input.node.timeoutMs);
        const model = await host.options.chooseModel?.({
          task: input.task,
          node: input.node,
          attempt: input.attempt,
          excludeModels: input.excludeModels,
          servedModels: host.skills.models,
        });
        const request: SubtaskRequest = {
          taskId: input.task.id,
          tenant: input.task.tenant,
          nodeId: input.node.id,
          attempt: input.attempt,
          skill: input.node.skill,
          instructions: input.node.instructions,
          input: input.input,
          ...(input.node.outputSchema ? { outputSchema: input.node.outputSchema } : {}),
          ...((model ?? input.node.model) ? { model: model ?? input.node.model } : {}),
          ...(input.node.advisor ? { advisor: input.node.advisor } : {}),
          quality: input.task.quality,
          timeoutMs: input.node.timeoutMs,
          feedback: input.feedback,
          // A chat node streams when its caller asked (the gateway's `stream: true`).
          stream: (host.options.streamTokens ?? false) || input.node.chat?.stream === true,
          ...(input.node.chat ? { chat: input.node.chat } : {}),
          // Retrieval and the cache opt-out travel to the worker (issue 11, context layer).
          ...(input.node.context ? { context: input.node.context } : {}),
          ...(input.node.cache === false ? { cache: false } : {}),
        };
        const send = () =>
          requestJson(host.connection, subjects.workerRun(input.node.skill), request, {
            timeoutMs: input.node.timeoutMs + (host.options.requestMarginMs ?? 2_000),
            idempotencyKey: `${input.task.tenant}:${input.task.id}:${input.node.id}:${input.attempt}`,
            spanName: 'troupe.planner.run-node',
            // Workers may be foreign processes (any language): a reply that is no WorkerResult fails the node, not the task.
            replySchema: WorkerResult,
            signal,
          });
        return (await retryWhileUnavailable(send, { budgetMs: input.node.timeoutMs, signal, reconnects: host.reconnects })) as WorkerResult;
      }),
      judgeNode: fromPromise(async ({ input, signal }) => {
        const request: JudgeRequest = {
          taskId: input.task.id,
          tenant: input.task.tenant,
          nodeId: input.node.id,
          attempt: input.attempt,
          skill: input.node.skill,
          output: input.result.output,
          ...(input.node.outputSchema ? { outputSchema: input.node.outputSchema } : {}),
          // Facts are checked against what the worker was shown: the retrieved chunks, then the node's input.
          context: [input.result.retrieval?.context, typeof input.input === 'string' ? input.input : JSON.stringify(input.input)]
            .filter(Boolean)
            .join('\n\n'),
          ...(input.result.toolCalls ? { toolCalls: input.result.toolCalls } : {}),
          model: input.result.model,
          maxAttempts: input.node.maxAttempts,
          ...(input.node.checks ? { checks: input.node.checks } : {}),
          // A cascade gate adds the consensus peers' answers, the confidence threshold and whether it may escalate.
          ...(input.gate ?? {}),
        };
        const judgeTimeoutMs = host.options.judgeTimeoutMs ?? 30_000;
        const send = () =>
          requestJson(host.connection, subjects.judgeVerify, request, { timeoutMs: judgeTimeoutMs, spanName: 'troupe.planner.judge-node', signal });
        const verdict = (await retryWhileUnavailable(send, { budgetMs: judgeTimeoutMs, signal, reconnects: host.reconnects })) as Verdict;
        try {
          host.options.onVerdict?.({ task: input.task, node: input.node, input: input.input, result: input.result, verdict });
        } catch (error) {
          host.logger.warn({ err: error }, 'verdict listener failed');
        }
        return verdict;
      }),
      askHuman: fromPromise(
        async ({ input, signal }) =>
          (await requestJson(host.connection, subjects.humanReview, input, {
            timeoutMs: host.options.humanReviewTimeoutMs ?? 300_000,
            spanName: 'troupe.planner.ask-human',
            signal,
          })) as HumanDecision,
      ),
    },
  });
}
