import { describe, expect, it } from 'vitest';
import { TroupeError } from '@troupe/protocol';
import { startNatsServer } from '@troupe/testing';
import { connectNats } from './connection.js';
import { requestJson } from './request.js';

describe('requestJson errors a caller cannot fix by retrying', () => {
  it('bug (found by npm run fuzz): a payload too deep for JSON.stringify was reported as a retryable UNAVAILABLE', async () => {
    await using server = await startNatsServer({ jetstream: false });
    const connection = await connectNats({ servers: server.url });
    try {
      let nested: unknown = 1;
      for (let depth = 0; depth < 10_000; depth += 1) nested = [nested];
      const error = await requestJson(connection, 'test.deep', { input: nested }, { timeoutMs: 1_000 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TroupeError);
      expect((error as TroupeError).code).toBe('BAD_REQUEST');
      expect((error as TroupeError).retryable).toBe(false);
    } finally {
      await connection.drain();
    }
  });

  it("reports a request over the server's max_payload as PAYLOAD_TOO_LARGE, not UNAVAILABLE", async () => {
    await using server = await startNatsServer({ jetstream: false });
    const connection = await connectNats({ servers: server.url });
    try {
      const error = await requestJson(connection, 'test.big', { input: 'x'.repeat(2 * 1024 * 1024) }, { timeoutMs: 1_000 }).catch((caught: unknown) => caught);
      expect((error as TroupeError).code).toBe('PAYLOAD_TOO_LARGE');
      expect((error as TroupeError).retryable).toBe(false);
    } finally {
      await connection.drain();
    }
  });
});
