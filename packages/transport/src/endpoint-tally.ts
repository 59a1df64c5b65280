/** The ADR-32 per-endpoint stats fields nats.js keeps (not part of its public types). */
interface AdrEndpointStats {
  num_errors: number;
  last_error?: string;
  processing_time: number;
  average_processing_time: number;
}

const SAMPLES = 512;

/**
 * Errors and latency of one endpoint, counted when the async handler has answered. nats.js's own
 * endpoint stats see only the synchronous part of a handler: a judge that answered 200 error replies
 * reported `num_errors: 0`. `writeInto` corrects the ADR-32 fields before `$SRV.STATS` replies.
 */
export class EndpointTally {
  errors = 0;
  lastError: string | undefined;
  #requests = 0;
  #totalMs = 0;
  /** A ring of recent latencies, for the p50 `troupe status` shows. */
  readonly #recent: number[] = [];
  #next = 0;

  countError(message: string): void {
    this.errors += 1;
    this.lastError = message;
  }

  countLatency(ms: number): void {
    this.#requests += 1;
    this.#totalMs += ms;
    if (this.#recent.length < SAMPLES) this.#recent.push(ms);
    else this.#recent[this.#next] = ms;
    this.#next = (this.#next + 1) % SAMPLES;
  }

  /** Median of the recent latencies in ms, rounded to 0.01; undefined before the first request. */
  p50Ms(): number | undefined {
    if (this.#recent.length === 0) return undefined;
    const sorted = [...this.#recent].sort((a, b) => a - b);
    return Math.round(sorted[Math.floor((sorted.length - 1) / 2)]! * 100) / 100;
  }

  /** Overwrites the error and timing fields of nats.js's stats object for this endpoint, if it has one. */
  writeInto(endpoint: object): void {
    const stats = (endpoint as { stats?: Partial<AdrEndpointStats> }).stats;
    if (!stats || typeof stats.num_errors !== 'number') return;
    stats.num_errors = this.errors;
    if (this.lastError !== undefined) stats.last_error = this.lastError;
    if (this.#requests > 0) {
      stats.processing_time = Math.round(this.#totalMs * 1_000_000);
      stats.average_processing_time = Math.round((this.#totalMs * 1_000_000) / this.#requests);
    }
  }
}
