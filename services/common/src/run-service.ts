import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { getTroupeErrorFromUnknown } from '@troupe/protocol';
import { connectNats } from '@troupe/transport';
import { createLogger } from './logger.js';
import { CommonEnv, natsOptionsFrom, readEnv } from './service-config.js';
import { startTelemetry } from './telemetry.js';

export interface ServiceContext<Env> {
  env: Env;
  logger: Logger;
  connection: NatsConnection;
}

export interface RunServiceOptions<Schema extends z.ZodObject> {
  name: string;
  /** The service's env schema; extend `CommonEnv`. */
  envSchema: Schema;
  start(context: ServiceContext<z.output<Schema>>): Promise<{ stop(): Promise<void> }>;
}

/** Line printed on stdout once the service listens; `troupe up` and tests wait for it. */
export const READY_MARKER = 'TROUPE_READY';

/**
 * The life of a service process: config → logger → telemetry → NATS → start, then on SIGTERM or
 * SIGINT: stop taking work, drain in-flight work, drain NATS, flush spans, exit within a bound.
 */
export async function runService<Schema extends z.ZodObject>(options: RunServiceOptions<Schema>): Promise<void> {
  let env: z.output<Schema> & CommonEnv;
  try {
    env = readEnv(options.envSchema) as z.output<Schema> & CommonEnv;
  } catch (error) {
    process.stderr.write(`${options.name}: ${getTroupeErrorFromUnknown(error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger(options.name, env.TROUPE_LOG_LEVEL);
  const telemetry = startTelemetry(options.name, env.TROUPE_TRACES);
  let connection: NatsConnection;
  let running: { stop(): Promise<void> };
  try {
    connection = await connectNats(natsOptionsFrom(env, options.name));
    running = await options.start({ env, logger, connection });
  } catch (error) {
    const troupeError = getTroupeErrorFromUnknown(error);
    logger.fatal({ code: troupeError.code }, troupeError.message);
    await telemetry.shutdown().catch(() => undefined);
    await flushLogs(logger);
    process.exit(1);
  }
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') logger.warn({ nats: status.type }, `NATS ${status.type}`);
    }
  })();
  logger.info({ servers: connection.getServer() }, 'ready');
  process.stdout.write(`${READY_MARKER} ${options.name}\n`);

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'draining');
    const force = setTimeout(() => {
      logger.error('drain took too long; exiting');
      process.exit(1);
    }, env.TROUPE_SHUTDOWN_GRACE_MS + 5_000);
    force.unref();
    try {
      await running.stop();
      await connection.drain();
      await telemetry.shutdown();
    } catch (error) {
      logger.error({ err: error }, 'error while draining');
    }
    logger.info('stopped');
    await flushLogs(logger);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * pino writes to stderr asynchronously; process.exit() right after a log line can drop it — and
 * with it the only explanation of why a service would not start (found by the security tests).
 */
function flushLogs(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    logger.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
