/** A single-consumer push queue that is async-iterable: the bridge from callbacks to `doStream`. */
export interface AsyncChannel<T> extends AsyncIterable<T> {
  push(value: T): void;
  /** Ends iteration after the queued values. */
  close(): void;
  /** Ends iteration by throwing `error` after the queued values. */
  fail(error: unknown): void;
}

/** Creates an unbounded channel; generation is bounded by maxOutputTokens, so the buffer is too. */
export function createAsyncChannel<T>(): AsyncChannel<T> {
  const buffer: T[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;

  const signal = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };

  return {
    push(value) {
      if (ended) return;
      buffer.push(value);
      signal();
    },
    close() {
      ended = true;
      signal();
    },
    fail(error) {
      if (ended) return;
      failure = { error };
      ended = true;
      signal();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (buffer.length > 0) {
          yield buffer.shift() as T;
          continue;
        }
        if (failure) throw failure.error;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}
