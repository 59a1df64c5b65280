import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/** A KV `create`/`update` (or an expected-sequence publish) lost to another writer. */
export function isWrongLastSequence(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/** The stream or consumer does not exist (yet, or any more). */
export function isMissingResource(error: unknown): boolean {
  if (error instanceof JetStreamApiError) {
    return error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound;
  }
  return error instanceof Error && /(stream|consumer) not found/i.test(error.message);
}
