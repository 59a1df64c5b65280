// Regression tests for the crashes `npm run fuzz` found in createTroupeService. Each used to kill
// the whole service process with an unhandled promise rejection (vitest fails a run on one).
import { connect as connectTcp } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers as createHeaders, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { z } from 'zod';
import { ErrorCode, ErrorReply, Header, TroupeError } from '@troupe/protocol';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { connectNats } from './connection.js';
import { requestJson } from './request.js';
import { createTroupeService, type TroupeService } from './troupe-service.js';

const Echo = z.object({ text: z.string(), metadata: z.record(z.string(), z.string()).default({}), waitMs: z.number().default(0) });
const decoder = new TextDecoder();

describe('createTroupeService under hostile input (fuzz regressions)', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let service: TroupeService;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
    connection = await connectNats({ servers: server.url });
    service = await createTroupeService({
      connection,
      name: 'hostile',
      version: '0.1.0',
      description: 'test',
      endpoints: [
        {
          name: 'echo',
          subject: 'test.echo',
          schema: Echo,
          spanName: 'troupe.test.echo',
          handle: async ({ text, waitMs }, context) => {
            if (text.startsWith('fail:')) throw new TroupeError(ErrorCode.MODEL_NOT_FOUND, `model "${text.slice(5)}" is not in the registry`);
            if (text === 'big-reply') return { blob: 'x'.repeat(2 * 1024 * 1024) };
            await new Promise((resolve) => setTimeout(resolve, waitMs));
            if (context.signal.aborted) throw new TroupeError(ErrorCode.CANCELLED, 'aborted before the work was done');
            return { text };
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await service?.stop();
    await connection?.drain();
    await server?.stop();
  });

  const errorOf = (payload: unknown, options: { headers?: Record<string, string> } = {}) => {
    const headers = createHeaders();
    for (const [key, value] of Object.entries(options.headers ?? {})) headers.set(key, value);
    return connection.request('test.echo', new TextEncoder().encode(JSON.stringify(payload)), { timeout: 5_000, headers });
  };
  const typedBody = (message: Msg) => ErrorReply.parse(JSON.parse(decoder.decode(message.data)));

  it('bug: a header name nats.js cannot decode (space, non-ASCII) crashed the process; now a typed BAD_REQUEST', async () => {
    const reply = 'test.hostile.reply';
    const answers: Msg[] = [];
    const subscription = connection.subscribe(reply, { callback: (_error, message) => answers.push(message) });
    await connection.flush();
    const socket = connectTcp({ host: '127.0.0.1', port: server.port });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\n');
    for (const header of ['NATS/1.0\r\nBad Key: v\r\n\r\n', 'NATS/1.0\r\nключ: v\r\n\r\n']) {
      const payload = '{"text":"hi"}';
      socket.write(`HPUB test.echo ${reply} ${Buffer.byteLength(header)} ${Buffer.byteLength(header) + payload.length}\r\n${header}${payload}\r\n`);
    }
    const deadline = Date.now() + 5_000;
    while (answers.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
    subscription.unsubscribe();
    expect(answers).toHaveLength(2);
    for (const answer of answers) {
      expect(answer.headers?.get(Header.serviceErrorCode)).toBe('400');
      expect(typedBody(answer).code).toBe('BAD_REQUEST');
    }
    expect(await requestJson(connection, 'test.echo', { text: 'still up' }, { timeoutMs: 2_000 })).toEqual({ text: 'still up' });
  });

  it('bug: an error message with CR/LF reflected from the input made respondError throw; now sanitised in the header', async () => {
    const injected = await errorOf({ text: 'fail:x\r\nNats-Service-Error-Code: 200' });
    expect(injected.headers?.get(Header.serviceErrorCode)).toBe('404');
    expect(injected.headers?.get(Header.serviceError)).not.toMatch(/[\r\n]/);
    expect(typedBody(injected)).toMatchObject({ code: 'MODEL_NOT_FOUND' });
    // The same through a schema error whose path carries the key.
    const viaPath = await errorOf({ text: 'a', metadata: { 'k\r\ney': 1 } });
    expect(typedBody(viaPath).code).toBe('BAD_REQUEST');
    expect(viaPath.headers?.get(Header.serviceError)).not.toMatch(/[\r\n]/);
  });

  it('bug: an error reflecting a huge input exceeded max_payload as header + body; now bounded', async () => {
    const huge = await errorOf({ text: `fail:${'m'.repeat(450_000)}` });
    const body = typedBody(huge);
    expect(body.code).toBe('MODEL_NOT_FOUND');
    expect(huge.data.length).toBeLessThan(4_096);
    expect(body.message.length).toBeLessThan(1_100);
    expect(huge.headers?.get(Header.serviceError).length).toBeLessThan(300);
  });

  it('answers a reply larger than max_payload with a typed error instead of silence', async () => {
    const error = await requestJson(connection, 'test.echo', { text: 'big-reply' }, { timeoutMs: 5_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TroupeError);
    expect((error as TroupeError).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('bug: a deadline more than 24.8 days away overflowed setTimeout and aborted the request at once', async () => {
    for (const deadline of [String(Date.now() + 40 * 86_400_000), '1e400', '99999999999999999999']) {
      const answer = await errorOf({ text: 'later', waitMs: 30 }, { headers: { [Header.deadline]: deadline } });
      expect(answer.headers?.get(Header.serviceErrorCode) ?? '', `deadline ${deadline}`).toBe('');
      expect(JSON.parse(decoder.decode(answer.data))).toEqual({ text: 'later' });
    }
    // A deadline that is not a number is ignored, one in the past still refuses the work.
    expect(JSON.parse(decoder.decode((await errorOf({ text: 'nan' }, { headers: { [Header.deadline]: 'NaN' } })).data))).toEqual({ text: 'nan' });
    expect(typedBody(await errorOf({ text: 'late' }, { headers: { [Header.deadline]: String(Date.now() - 1_000) } })).code).toBe('TIMEOUT');
  });
});
