import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/nats-core';
import { z } from 'zod';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/** How to reach NATS. Secrets (password, token, nkey seed, creds) are only ever passed to the client. */
export const NatsOptions = z.object({
  servers: z.union([z.string(), z.array(z.string())]).default('nats://127.0.0.1:4222'),
  name: z.string().optional(),
  user: z.string().optional(),
  pass: z.string().optional(),
  token: z.string().optional(),
  /** Path of an nkey seed file (`SU…`). */
  nkeySeedFile: z.string().optional(),
  /** Path of a `.creds` file (JWT + nkey seed). */
  credsFile: z.string().optional(),
  tls: z
    .object({ caFile: z.string().optional(), certFile: z.string().optional(), keyFile: z.string().optional() })
    .optional(),
  /** Reply-inbox prefix (e.g. `_INBOX_acme`), so a tenant's permissions can allow only its own inbox. */
  inboxPrefix: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
  /** Reconnect forever by default: a service should outlive a NATS restart. */
  maxReconnectAttempts: z.number().int().default(-1),
  reconnectTimeWaitMs: z.number().int().min(0).default(250),
});
export type NatsOptions = z.input<typeof NatsOptions>;

/** Connects to NATS with auth/TLS from options; errors never echo a credential. */
export async function connectNats(input: NatsOptions = {}): Promise<NatsConnection> {
  const options = NatsOptions.parse(input);
  const connection: ConnectionOptions = {
    servers: options.servers,
    maxReconnectAttempts: options.maxReconnectAttempts,
    reconnectTimeWait: options.reconnectTimeWaitMs,
    // nats.js otherwise builds an Error (with a stack) per request just in case it fails: measurable on the hot path.
    noAsyncTraces: true,
    ...(options.name ? { name: options.name } : {}),
    ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
    ...(options.user ? { user: options.user, pass: options.pass ?? '' } : {}),
    ...(options.token ? { token: options.token } : {}),
  };
  if (options.credsFile) connection.authenticator = credsAuthenticator(readFileSync(options.credsFile));
  else if (options.nkeySeedFile) connection.authenticator = nkeyAuthenticator(new TextEncoder().encode(readFileSync(options.nkeySeedFile, 'utf8').trim()));
  if (options.tls) {
    connection.tls = {
      ...(options.tls.caFile ? { caFile: options.tls.caFile } : {}),
      ...(options.tls.certFile ? { certFile: options.tls.certFile } : {}),
      ...(options.tls.keyFile ? { keyFile: options.tls.keyFile } : {}),
    };
  }
  try {
    return await connect(connection);
  } catch (cause) {
    const servers = Array.isArray(options.servers) ? options.servers.join(',') : options.servers;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const code = /authoriz|authentic|permission/i.test(reason) ? ErrorCode.AUTH_FAILED : ErrorCode.UNAVAILABLE;
    throw new TroupeError(code, `could not connect to NATS at ${redactUrl(servers)}: ${reason}`, { cause });
  }
}

/** Removes `user:pass@` from server URLs before they reach a message. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//***@');
}
