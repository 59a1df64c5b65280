import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { Logger } from '@troupe/transport';
import { isSuperseded, type TaskRecord, type TaskStore } from '@troupe/store-contract';

/**
 * Persists one task's record after every planner transition without slowing the planner down:
 * `changed()` only marks the record dirty; at most one write per task is in flight, and when it
 * lands the latest state is written next, so bursts of transitions coalesce into few writes.
 *
 * Every write is conditional on the revision this writer last wrote, which fences out a stale
 * owner: once another replica has taken the task over, the next write fails, `lost` resolves
 * and the owner stops. Transient store failures (NATS restarting) are retried with backoff.
 */
export class RecordWriter {
  readonly #store: TaskStore;
  readonly #record: TaskRecord;
  readonly #logger: Logger;
  #revision: number | undefined;
  #dirty = false;
  #writing: Promise<void> | undefined;
  #closed = false;
  #onLost!: (error: unknown) => void;
  /** Settles (never rejects) with the superseded error once another replica owns the task. */
  readonly lost: Promise<unknown>;
  #isLost = false;

  constructor(store: TaskStore, record: TaskRecord, options: { revision: number | undefined; logger: Logger }) {
    this.#store = store;
    this.#record = record;
    this.#revision = options.revision;
    this.#logger = options.logger;
    this.lost = new Promise((resolve) => {
      this.#onLost = resolve;
    });
  }

  get isLost(): boolean {
    return this.#isLost;
  }

  /** Marks the record changed and starts a write unless one is already in flight. */
  changed(): void {
    if (this.#isLost || this.#closed) return;
    this.#dirty = true;
    this.#startDrain();
  }

  #startDrain(): void {
    if (this.#writing) return;
    this.#writing = this.#drain().finally(() => {
      this.#writing = undefined;
      // A change marked after the drain's last check but before this callback found a drain
      // still "in flight" and started none: without this, a task's final record was never written.
      if (this.#dirty && !this.#isLost && !this.#closed) this.#startDrain();
    });
  }

  /**
   * Resolves once everything marked changed so far is stored. Rejects with the superseded error if
   * another replica owns the task, or with the last failure if `deadlineMs` passes first.
   */
  async flush(deadlineMs = Number.POSITIVE_INFINITY): Promise<void> {
    const until = Date.now() + deadlineMs;
    this.changed();
    while (this.#writing) {
      const remaining = until - Date.now();
      if (remaining <= 0) throw new TroupeError(ErrorCode.UNAVAILABLE, `the record of task "${this.#record.task.id}" could not be stored in time`);
      await Promise.race([this.#writing, delay(Math.min(remaining, 1_000))]);
      if (this.#isLost) throw await this.lost;
    }
    if (this.#isLost) throw await this.lost;
  }

  /** Stops writing (a write in flight still lands). */
  close(): void {
    this.#closed = true;
  }

  /**
   * A write that timed out may still have landed, moving the revision on without telling us. The
   * record names its owner, so a conflict on a record we still own is ours: adopt its revision.
   */
  async #ownership(): Promise<'owned' | 'lost' | 'unknown'> {
    const owner = this.#record.owner;
    let current;
    try {
      current = await this.#store.load(this.#record.task.tenant, this.#record.task.id);
    } catch {
      return 'unknown';
    }
    if (!owner || !current || current.record.owner !== owner) return 'lost';
    this.#revision = current.revision;
    return 'owned';
  }

  async #drain(): Promise<void> {
    let failures = 0;
    while (this.#dirty && !this.#isLost) {
      this.#dirty = false;
      this.#record.updatedAt = Date.now();
      try {
        this.#revision = await this.#store.put(this.#record, this.#revision === undefined ? {} : { expectedRevision: this.#revision });
        failures = 0;
        continue;
      } catch (error) {
        this.#dirty = true;
        const ownership = isSuperseded(error) ? await this.#ownership() : 'unknown';
        if (ownership === 'lost') {
          this.#isLost = true;
          this.#onLost(error);
          return;
        }
        if (ownership === 'owned') continue;
        failures += 1;
        if (this.#closed) return;
        this.#logger.warn({ err: error, failures }, 'could not store the task record; retrying');
        await delay(Math.min(2_000, 50 * 2 ** Math.min(failures, 6)));
      }
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
