import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
