// The judge service: reads config, hosts the judge actor with its checks on NATS, drains on SIGTERM.
import { hostJudge } from '@troupe/runtime';
import { CommonEnv, runService } from '@troupe/service-common';

await runService({
  name: 'troupe-judge',
  envSchema: CommonEnv,
  async start({ env, logger, connection }) {
    const service = await hostJudge({
      connection,
      logger,
      ...(env.TROUPE_MAX_PAYLOAD_BYTES ? { maxPayloadBytes: env.TROUPE_MAX_PAYLOAD_BYTES } : {}),
    });
    return { stop: () => service.stop(env.TROUPE_SHUTDOWN_GRACE_MS) };
  },
});
