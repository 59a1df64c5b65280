import { TroupeError } from '@troupe/protocol';
import { describe, expect, it } from 'vitest';
import { createSlotQueue } from './slot-queue.js';

describe('slot queue', () => {
  it('grants up to `concurrency` slots, queues up to `maxQueue`, and refuses the next with BUSY at once', async () => {
    const slots = createSlotQueue({ concurrency: 2, maxQueue: 1, name: 'm' });
    const first = await slots.acquire();
    await slots.acquire();
    const third = slots.acquire();
    expect(slots.waiting).toBe(1);
    const refused = await slots.acquire().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TroupeError);
    expect((refused as TroupeError).code).toBe('BUSY');
    expect((refused as TroupeError).retryable).toBe(true);
    first.release();
    first.release(); // idempotent: must not free a second slot
    await third;
    expect(slots.active).toBe(2);
    expect(slots.waiting).toBe(0);
  });

  it('hands slots to waiters in arrival order', async () => {
    const slots = createSlotQueue({ concurrency: 1, maxQueue: 3, name: 'm' });
    const held = await slots.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => slots.acquire().then((slot) => (order.push(n), slot.release())));
    held.release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(slots.active).toBe(0);
  });

  it('removes an aborted waiter from the queue and rejects it with the signal reason', async () => {
    const slots = createSlotQueue({ concurrency: 1, maxQueue: 1, name: 'm' });
    const held = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(slots.waiting).toBe(0);
    held.release();
    expect(slots.active).toBe(0);
  });

  it('rejects waiters and later calls with the close reason', async () => {
    const slots = createSlotQueue({ concurrency: 1, maxQueue: 1, name: 'm' });
    await slots.acquire();
    const waiting = slots.acquire();
    slots.close(new Error('closed'));
    await expect(waiting).rejects.toThrow('closed');
    await expect(slots.acquire()).rejects.toThrow('closed');
  });
});
