// The planner service: reads config, hosts the planner actor on NATS, drains on SIGTERM.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { builtInPipelines } from '@troupe/pipelines';
import { PipelineDefinition } from '@troupe/protocol';
import { hostPlanner } from '@troupe/runtime';
import { CommonEnv, runService } from '@troupe/service-common';

const Env = CommonEnv.extend({
  /** JSON file with an array of extra pipeline definitions. */
  TROUPE_PIPELINES: z.string().optional(),
  TROUPE_STREAM_TOKENS: z.enum(['true', 'false']).default('false'),
});

await runService({
  name: 'troupe-planner',
  envSchema: Env,
  async start({ env, logger, connection }) {
    const extra = env.TROUPE_PIPELINES ? z.array(PipelineDefinition).parse(JSON.parse(readFileSync(env.TROUPE_PIPELINES, 'utf8'))) : [];
    const pipelines = [...builtInPipelines.map((pipeline) => PipelineDefinition.parse(pipeline)), ...extra];
    const service = await hostPlanner({
      connection,
      pipelines,
      logger,
      streamTokens: env.TROUPE_STREAM_TOKENS === 'true',
      ...(env.TROUPE_MAX_PAYLOAD_BYTES ? { maxPayloadBytes: env.TROUPE_MAX_PAYLOAD_BYTES } : {}),
    });
    logger.info({ pipelines: pipelines.map((pipeline) => pipeline.name) }, 'planner listening');
    return { stop: () => service.stop(env.TROUPE_SHUTDOWN_GRACE_MS) };
  },
});
