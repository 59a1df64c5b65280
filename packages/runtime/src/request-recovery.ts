import type { NatsConnection } from '@nats-io/nats-core';
import { ErrorCode, TroupeError, getTroupeErrorFromUnknown } from '@troupe/protocol';

/** Tells waiters when the connection has come back after losing the server. */
export interface ReconnectWatch {
  /** Calls `listener` at the next reconnect; returns a function that removes it. */
  onReconnect(listener: () => void): () => void;
}

/** Watches one connection's status for `reconnect`; stops by itself when the connection closes. */
export function watchReconnects(connection: NatsConnection): ReconnectWatch {
  // Listeners are removed when their request settles: a shared never-settling promise would keep
  // a reaction (and its request's context) alive per request — a leak found by the soak bench.
  const listeners = new Set<() => void>();
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type !== 'reconnect') continue;
      for (const listener of [...listeners]) listener();
    }
  })().catch(() => undefined);
  return {
    onReconnect(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export interface RecoveryOptions {
  /** How long to keep re-sending while nobody answers. */
  budgetMs: number;
  signal?: AbortSignal;
  /** When given, a request in flight while the connection was lost is sent again on reconnect. */
  reconnects?: ReconnectWatch;
}

/**
 * Sends a request again — the same attempt with the same idempotency key, so the receiver replays
 * rather than redoes it — when infrastructure, not the receiver, failed it: nobody answered
 * (`UNAVAILABLE`: a worker restarting, a route being re-established), or the NATS connection was
 * lost and came back while it was in flight (its reply may be gone; waiting out the timeout would
 * stall the task). Such blips therefore never use up a node's attempts. Other errors, and running
 * out of `budgetMs` while unavailable, end it with the last error.
 */
export async function retryWhileUnavailable<T>(send: () => Promise<T>, options: RecoveryOptions): Promise<T> {
  const startedAt = Date.now();
  for (let tries = 1; ; tries += 1) {
    let outcome: { value: T } | 'reconnected';
    let stopWatching: (() => void) | undefined;
    try {
      const sent = send().then((value) => ({ value }));
      if (options.reconnects) {
        sent.catch(() => undefined); // may be abandoned below
        const reconnected = new Promise<'reconnected'>((resolve) => {
          stopWatching = options.reconnects!.onReconnect(() => resolve('reconnected'));
        });
        outcome = await Promise.race([sent, reconnected]);
      } else {
        outcome = await sent;
      }
    } catch (thrown) {
      const error = getTroupeErrorFromUnknown(thrown);
      const waitMs = Math.min(1_000, 25 * 2 ** tries);
      if (error.code !== ErrorCode.UNAVAILABLE || options.signal?.aborted || Date.now() - startedAt + waitMs > options.budgetMs) throw error;
      await wait(waitMs, options.signal, error);
      continue;
    } finally {
      stopWatching?.();
    }
    if (outcome === 'reconnected') {
      options.signal?.throwIfAborted();
      continue;
    }
    return outcome.value;
  }
}

function wait(ms: number, signal: AbortSignal | undefined, cause: TroupeError): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new TroupeError(ErrorCode.CANCELLED, 'cancelled while waiting for a service to come back', { cause }));
      },
      { once: true },
    );
  });
}
