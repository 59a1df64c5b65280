import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/** Whether a KV `create`/`update` failed because another writer got there first (wrong last sequence). */
export function isKvConflict(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
