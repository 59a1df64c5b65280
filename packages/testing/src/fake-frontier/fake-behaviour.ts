/** Token counts a fake reply reports, mapped onto each API's own usage fields. */
export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the provider's cache (a subset of `inputTokens`). */
  cachedInputTokens?: number;
}

/** Errors every fake can answer with, each rendered from that API's recorded error body. */
export type FakeErrorKind = 'auth' | 'rate-limit' | 'server' | 'overloaded' | 'context-overflow';

/**
 * What the fake does with the next request. Tests queue these; an empty queue answers with the
 * recorded fixture reply. JSON or SSE is chosen by the request itself (`stream: true`,
 * `:streamGenerateContent?alt=sse`), exactly as the real API would.
 */
export type FakeBehaviour =
  | {
      type: 'reply';
      /** The assistant text; defaults to the fixture's text. */
      text?: string;
      usage?: FakeUsage;
      /** `length` renders each API's "max tokens reached" reason. */
      finishReason?: 'stop' | 'length';
      /** Wait this long before sending headers (slow response, for timeouts). */
      delayMs?: number;
      /** Wait this long between SSE events. */
      chunkDelayMs?: number;
    }
  | {
      type: 'error';
      error: FakeErrorKind;
      /** Sent as the `retry-after` header (seconds). */
      retryAfterSeconds?: number;
      /** Sent as the `retry-after-ms` header. */
      retryAfterMs?: number;
      delayMs?: number;
    }
  /** 200 with a body that is not valid JSON (or an SSE event whose data is not JSON). */
  | { type: 'malformed' }
  /** Sends part of the response, then destroys the socket: streams cut mid-way. */
  | { type: 'cut'; afterEvents?: number }
  /** Never answers; the client has to time out or abort. */
  | { type: 'hang' };
