import type { StreamPart } from '@troupe/models';

/** A stream whose first part has already arrived: failing before it is safe to retry or fall back. */
export interface OpenedStream {
  first: IteratorResult<StreamPart>;
  iterator: AsyncIterator<StreamPart>;
}

/** Starts a stream and waits for its first part (or its first error). */
export async function openStream(stream: AsyncIterable<StreamPart>): Promise<OpenedStream> {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  return { first, iterator };
}

/** Yields the first part and the rest; stopping early closes the underlying stream. */
export async function* restOf(opened: OpenedStream): AsyncIterable<StreamPart> {
  let done = opened.first.done ?? false;
  try {
    if (done) return;
    yield opened.first.value as StreamPart;
    for (let next = await opened.iterator.next(); !next.done; next = await opened.iterator.next()) yield next.value;
    done = true;
  } finally {
    if (!done) await opened.iterator.return?.();
  }
}
