import { ErrorCode, TroupeError } from '@troupe/protocol';

export interface SlotQueueOptions {
  /** Calls that may hold a slot at once (the context's sequence count). */
  concurrency: number;
  /** Calls that may wait for a slot; one more is refused with BUSY at once. */
  maxQueue: number;
  /** Named in the BUSY message, e.g. the model id. */
  name: string;
}

/** A held slot; `release` is idempotent and hands the slot straight to the oldest waiter. */
export interface Slot {
  release(): void;
}

/** A counting semaphore with a bounded FIFO wait queue, so overload is refused instead of piling up. */
export interface SlotQueue {
  readonly active: number;
  readonly waiting: number;
  /**
   * Resolves with a slot when one is free. Rejects with BUSY at once when the queue is full, with
   * `signal.reason` when the signal aborts while waiting, and with the close reason after `close`.
   */
  acquire(signal?: AbortSignal): Promise<Slot>;
  /** Rejects every waiter and every later `acquire` with `reason`. Held slots stay held until released. */
  close(reason: Error): void;
}

interface Waiter {
  grant(slot: Slot): void;
  reject(reason: unknown): void;
}

/**
 * Creates a slot queue.
 *
 * @example
 * const slots = createSlotQueue({ concurrency: 2, maxQueue: 16, name: 'qwen2.5-0.5b' });
 * const slot = await slots.acquire(signal);
 * try { await work(); } finally { slot.release(); }
 */
export function createSlotQueue(options: SlotQueueOptions): SlotQueue {
  const waiters: Waiter[] = [];
  let active = 0;
  let closedReason: Error | undefined;

  const makeSlot = (): Slot => {
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        const next = waiters.shift();
        // Hand over directly (active stays the same) so a newcomer cannot barge past the queue.
        if (next) next.grant(makeSlot());
        else active -= 1;
      },
    };
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return waiters.length;
    },
    acquire(signal) {
      if (closedReason) return Promise.reject(closedReason);
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (active < options.concurrency) {
        active += 1;
        return Promise.resolve(makeSlot());
      }
      if (waiters.length >= options.maxQueue) {
        return Promise.reject(
          new TroupeError(
            ErrorCode.BUSY,
            `model "${options.name}" is busy: ${active} running and ${waiters.length} waiting (maxConcurrency ${options.concurrency}, maxQueue ${options.maxQueue})`,
            { details: { active, waiting: waiters.length } },
          ),
        );
      }
      return new Promise<Slot>((resolve, reject) => {
        const onAbort = () => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          grant(slot) {
            signal?.removeEventListener('abort', onAbort);
            resolve(slot);
          },
          reject(reason) {
            signal?.removeEventListener('abort', onAbort);
            reject(reason);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    close(reason) {
      closedReason ??= reason;
      for (const waiter of waiters.splice(0)) waiter.reject(closedReason);
    },
  };
}
