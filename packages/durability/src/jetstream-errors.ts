import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/** The stream or consumer does not exist (yet, or any more). */
export function isMissingResource(error: unknown): boolean {
  if (error instanceof JetStreamApiError) {
    return error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound;
  }
  return error instanceof Error && /(stream|consumer) not found/i.test(error.message);
}
