import { Svcm } from '@nats-io/services';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode, Header, TroupeError } from '@troupe/protocol';
import { startNatsServer } from '@troupe/testing';
import { connectNats } from './connection.js';
import { requestJson } from './request.js';
import { createTroupeService } from './troupe-service.js';

const Greeting = z.object({ name: z.string() });

describe('createTroupeService over a real nats-server', () => {
  it('answers typed requests and turns every kind of bad input into a typed error reply', async () => {
    await using server = await startNatsServer();
    const connection = await connectNats({ servers: server.url });
    let calls = 0;
    const service = await createTroupeService({
      connection,
      name: 'greeter',
      version: '0.1.0',
      description: 'test',
      maxPayloadBytes: 1024,
      stats: () => ({ model: 'echo' }),
      endpoints: [
        {
          name: 'greet',
          subject: 'test.greet',
          schema: Greeting,
          invalidCode: ErrorCode.INVALID_TASK,
          spanName: 'troupe.test.greet',
          idempotent: true,
          handle: async ({ name }) => {
            calls += 1;
            if (name === 'boom') throw new Error('kaboom');
            return { hello: name };
          },
        },
      ],
    });

    expect(await requestJson(connection, 'test.greet', { name: 'Ada' }, { timeoutMs: 2_000 })).toEqual({ hello: 'Ada' });

    const raw = await connection.request('test.greet', new TextEncoder().encode('{not json'), { timeout: 2_000 });
    expect(raw.headers?.get(Header.serviceErrorCode)).toBe('400');
    expect(JSON.parse(new TextDecoder().decode(raw.data))).toMatchObject({ code: 'BAD_REQUEST' });

    const expectCode = async (payload: unknown, code: string) => {
      const error = await requestJson(connection, 'test.greet', payload, { timeoutMs: 2_000 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TroupeError);
      expect((error as TroupeError).code).toBe(code);
    };
    await expectCode({ name: 42 }, 'INVALID_TASK');
    await expectCode({ name: 'x'.repeat(2_000) }, 'PAYLOAD_TOO_LARGE');
    await expectCode({ name: 'boom' }, 'INTERNAL');

    const noService = await requestJson(connection, 'test.nobody', {}, { timeoutMs: 500 }).catch((caught: unknown) => caught);
    expect((noService as TroupeError).code).toBe('UNAVAILABLE');

    // Same idempotency key → one execution.
    const before = calls;
    await Promise.all([1, 2, 3].map(() => requestJson(connection, 'test.greet', { name: 'Bo' }, { timeoutMs: 2_000, idempotencyKey: 'k1' })));
    expect(calls - before).toBe(1);

    // The service is discoverable through the ADR-32 micro API, with custom stats.
    const client = new Svcm(connection).client();
    const stats = [];
    for await (const entry of await client.stats('greeter')) stats.push(entry);
    expect(stats).toHaveLength(1);
    expect(stats[0]?.endpoints?.[0]?.data).toMatchObject({ model: 'echo', rejected: 3 });
    // Regression (issue 13): error replies count in ADR-32 num_errors (nats.js saw 0 for async handlers).
    expect(stats[0]?.endpoints?.[0]).toMatchObject({ num_errors: 4, last_error: expect.stringContaining('kaboom') });
    expect(stats[0]?.endpoints?.[0]?.average_processing_time).toBeGreaterThan(0);
    expect((stats[0]?.endpoints?.[0]?.data as { p50Ms?: number }).p50Ms).toBeGreaterThan(0);

    await service.stop();
    await connection.drain();
  });
});
