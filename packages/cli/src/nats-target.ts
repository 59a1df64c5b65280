import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats } from '@troupe/transport';

/** Where `troupe up` records the cluster it started, so other commands find it. */
export const UP_STATE_FILE = join('.troupe', 'up.json');

/** --nats, else TROUPE_NATS_URL, else the running `troupe up`, else the default local server. */
export function resolveNatsUrl(flag: string | undefined): string {
  if (flag) return flag;
  if (process.env.TROUPE_NATS_URL) return process.env.TROUPE_NATS_URL;
  if (existsSync(UP_STATE_FILE)) {
    const state = JSON.parse(readFileSync(UP_STATE_FILE, 'utf8')) as { natsUrl?: string };
    if (state.natsUrl) return state.natsUrl;
  }
  return 'nats://127.0.0.1:4222';
}

/**
 * Runs one short command on its own connection: fails at once when the server is unreachable
 * (no reconnect loop for a one-shot command) and drains the connection however `run` ends.
 */
export async function withNats<T>(natsUrl: string, run: (connection: NatsConnection) => Promise<T>, options: { credsFile?: string } = {}): Promise<T> {
  const connection = await connectNats({ servers: natsUrl, maxReconnectAttempts: 0, ...(options.credsFile ? { credsFile: options.credsFile } : {}) });
  try {
    return await run(connection);
  } finally {
    await connection.drain();
  }
}
