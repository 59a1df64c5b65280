/**
 * Remembers the reply (or the promise of it) for recent idempotency keys, so a retried request
 * returns the first answer instead of doing the work — and paying for it — twice.
 */
export class IdempotencyCache {
  readonly #entries = new Map<string, { value: Promise<unknown>; expiresAt: number }>();

  constructor(
    private readonly capacity: number,
    private readonly ttlMs: number,
  ) {}

  run(key: string, work: () => Promise<unknown>): Promise<unknown> {
    const now = Date.now();
    const existing = this.#entries.get(key);
    if (existing && existing.expiresAt > now) return existing.value;
    const value = work();
    this.#entries.set(key, { value, expiresAt: now + this.ttlMs });
    // Failures are not remembered: a retry after an error should really retry.
    value.catch(() => this.#entries.delete(key));
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return value;
  }
}
