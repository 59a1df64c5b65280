import type { NatsConnection } from '@nats-io/nats-core';
import { QueueGroup, SubtaskRequest, subjects, type WorkerResult } from '@troupe/protocol';
import { createTroupeService, defineEndpoint, type TroupeService } from '@troupe/transport';

/** The service name workers announce; the planner's skill directory reads their `$SRV.INFO`. */
const WORKER_SERVICE_NAME = 'troupe-worker';

/**
 * Serves a plain function as a worker skill over NATS, on the same subject, queue group and
 * `$SRV.INFO` metadata as a model worker, so the planner routes to it and the judge checks its
 * output like any other node. It costs nothing and reports its latency. A thrown error (a zod
 * error on bad input included) becomes a typed error reply. (Until `defineSkill` code skills from
 * @troupe/skills are hosted by the worker service, the demo hosts its rule with this.)
 */
export async function hostCodeStep(options: { connection: NatsConnection; skill: string; run: (input: unknown) => unknown }): Promise<TroupeService> {
  const { skill } = options;
  return createTroupeService({
    connection: options.connection,
    name: WORKER_SERVICE_NAME,
    version: '0.1.0',
    description: `Runs the code step "${skill}" (no model).`,
    metadata: { skills: skill, models: '' },
    endpoints: [
      defineEndpoint({
        name: skill,
        subject: subjects.workerRun(skill),
        queue: QueueGroup.worker(skill),
        schema: SubtaskRequest,
        spanName: 'troupe.worker.run',
        idempotent: true,
        metadata: { skill },
        handle: async (request: SubtaskRequest): Promise<WorkerResult> => {
          const started = performance.now();
          const output = await options.run(request.input);
          return {
            taskId: request.taskId,
            nodeId: request.nodeId,
            attempt: request.attempt,
            output,
            model: `code:${skill}`,
            provider: 'code',
            usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
            costUsd: 0,
            metrics: { latencyMs: performance.now() - started, queueWaitMs: 0 },
            flagged: false,
          };
        },
      }),
    ],
  });
}
