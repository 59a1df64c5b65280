import type { MsgHdrs } from '@nats-io/nats-core';
import type { ServiceMsg } from '@nats-io/services';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/**
 * The request's headers, or a BAD_REQUEST: nats.js decodes headers lazily and throws on names it
 * cannot canonicalise (spaces, non-ASCII), which nats-server forwards from raw clients.
 */
export function readRequestHeaders(message: ServiceMsg): MsgHdrs | undefined {
  try {
    return message.headers;
  } catch (cause) {
    throw new TroupeError(ErrorCode.BAD_REQUEST, 'the message headers are malformed', { cause });
  }
}

/** Epoch-ms deadline from the header; anything that is not a finite positive number means none. */
export function parseDeadline(value: string | undefined): number | undefined {
  const deadline = Number(value || 0);
  return Number.isFinite(deadline) && deadline > 0 ? deadline : undefined;
}

/** setTimeout fires after 1 ms for delays past 2^31-1 ms (24.8 days); such deadlines need no timer. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;
