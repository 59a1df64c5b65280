import { z } from 'zod';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { NatsOptions } from '@troupe/transport';

const optionalPath = z.string().min(1).optional();

/** Environment shared by every service. Secrets are read here and passed only to the NATS client. */
export const CommonEnv = z.object({
  TROUPE_NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  TROUPE_NATS_USER: z.string().optional(),
  TROUPE_NATS_PASSWORD: z.string().optional(),
  TROUPE_NATS_TOKEN: z.string().optional(),
  TROUPE_NATS_CREDS: optionalPath,
  TROUPE_NATS_NKEY_SEED: optionalPath,
  TROUPE_NATS_TLS_CA: optionalPath,
  TROUPE_NATS_TLS_CERT: optionalPath,
  TROUPE_NATS_TLS_KEY: optionalPath,
  TROUPE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `console`, `file:<path>` (JSON lines) or `otlp` (standard OTEL_EXPORTER_OTLP_* variables); none by default. */
  TROUPE_TRACES: z.string().optional(),
  TROUPE_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1_024).max(64 * 1024 * 1024).optional(),
  TROUPE_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
});
export type CommonEnv = z.output<typeof CommonEnv>;

/**
 * Parses the environment with a service-specific schema; a bad value stops the service with a
 * message that names the variable, never its value (it may be a secret).
 */
export function readEnv<Schema extends z.ZodObject>(schema: Schema, env: NodeJS.ProcessEnv = process.env): z.output<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new TroupeError(ErrorCode.CONFIG_INVALID, `invalid configuration — ${problems.join('; ')}`, { details: { problems } });
}

export function natsOptionsFrom(env: CommonEnv, name: string): NatsOptions {
  return {
    servers: env.TROUPE_NATS_URL.split(','),
    name,
    ...(env.TROUPE_NATS_USER ? { user: env.TROUPE_NATS_USER, pass: env.TROUPE_NATS_PASSWORD ?? '' } : {}),
    ...(env.TROUPE_NATS_TOKEN ? { token: env.TROUPE_NATS_TOKEN } : {}),
    ...(env.TROUPE_NATS_CREDS ? { credsFile: env.TROUPE_NATS_CREDS } : {}),
    ...(env.TROUPE_NATS_NKEY_SEED ? { nkeySeedFile: env.TROUPE_NATS_NKEY_SEED } : {}),
    ...(env.TROUPE_NATS_TLS_CA || env.TROUPE_NATS_TLS_CERT
      ? {
          tls: {
            ...(env.TROUPE_NATS_TLS_CA ? { caFile: env.TROUPE_NATS_TLS_CA } : {}),
            ...(env.TROUPE_NATS_TLS_CERT ? { certFile: env.TROUPE_NATS_TLS_CERT } : {}),
            ...(env.TROUPE_NATS_TLS_KEY ? { keyFile: env.TROUPE_NATS_TLS_KEY } : {}),
          },
        }
      : {}),
  };
}
