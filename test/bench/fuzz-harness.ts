// Sends fuzz cases to live services and classifies every reply. Replies come back on one
// subscription (`fuzz.reply.<index>`), so cases sent through the hand-written raw connection
// (malformed header blocks) are answered and counted exactly like the others.
import { connect as connectTcp, type Socket } from 'node:net';
import { headers as createHeaders, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { ErrorReply, Header, errorStatus } from '@troupe/protocol';
import type { FuzzCase } from './fuzz-cases.js';

export interface FuzzOutcome {
  messages: number;
  with_reply: number;
  no_reply: number;
  typed_error_replies: number;
  /** Replies with `Nats-Service-Error-Code` and a `{code, message}` body, over cases that had a reply subject. */
  typed_error_replies_pct: number;
  /** A success reply to an invalid message, or an error reply without the typed body. */
  untyped_replies: number;
  /** nats-server answered 503: nobody listens any more (a service died). */
  no_responders: number;
  timeouts: number;
  /** Header status disagrees with the body's code. */
  status_mismatches: number;
  largest_error_reply_bytes: number;
  codes: Record<string, number>;
  /** Up to 10 examples of each kind of failure, to reproduce by index. */
  failures: { index: number; kind: string; subject: string; problem: string }[];
  duration_s: number;
}

export interface FuzzOptions {
  connection: NatsConnection;
  /** nats-server host and port for the raw connection. */
  port: number;
  cases: readonly FuzzCase[];
  concurrency?: number;
  timeoutMs?: number;
}

const decoder = new TextDecoder();
const REPLY_PREFIX = 'fuzz.reply';

export async function runFuzz(options: FuzzOptions): Promise<FuzzOutcome> {
  const { connection, cases } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const outcome: FuzzOutcome = {
    messages: 0,
    with_reply: 0,
    no_reply: 0,
    typed_error_replies: 0,
    typed_error_replies_pct: 0,
    untyped_replies: 0,
    no_responders: 0,
    timeouts: 0,
    status_mismatches: 0,
    largest_error_reply_bytes: 0,
    codes: {},
    failures: [],
    duration_s: 0,
  };
  const fail = (fuzzCase: FuzzCase, problem: string) => {
    if (outcome.failures.filter((failure) => failure.problem.split(':')[0] === problem.split(':')[0]).length < 10) {
      outcome.failures.push({ index: fuzzCase.index, kind: fuzzCase.kind, subject: fuzzCase.subject, problem });
    }
  };
  const pending = new Map<number, (message: Msg) => void>();
  const replies = connection.subscribe(`${REPLY_PREFIX}.>`, {
    callback: (_error, message) => pending.get(Number(message.subject.slice(REPLY_PREFIX.length + 1)))?.(message),
  });
  await connection.flush();
  const raw = new RawPublisher(options.port);

  const classify = (fuzzCase: FuzzCase, message: Msg) => {
    const status = message.headers?.get(Header.serviceErrorCode);
    if (!status) {
      if (message.headers?.code === 503 && message.data.length === 0) {
        outcome.no_responders += 1;
        fail(fuzzCase, 'no responders');
      } else {
        outcome.untyped_replies += 1;
        fail(fuzzCase, `untyped reply: ${decoder.decode(message.data.subarray(0, 200))}`);
      }
      return;
    }
    let body: ErrorReply | undefined;
    try {
      body = ErrorReply.parse(JSON.parse(decoder.decode(message.data)));
    } catch {
      outcome.untyped_replies += 1;
      fail(fuzzCase, `error reply without a typed body: ${decoder.decode(message.data.subarray(0, 200))}`);
      return;
    }
    outcome.typed_error_replies += 1;
    outcome.codes[body.code] = (outcome.codes[body.code] ?? 0) + 1;
    outcome.largest_error_reply_bytes = Math.max(outcome.largest_error_reply_bytes, message.data.length);
    if (Number(status) !== errorStatus[body.code]) {
      outcome.status_mismatches += 1;
      fail(fuzzCase, `status mismatch: header ${status}, body ${body.code}`);
    }
  };

  const send = (fuzzCase: FuzzCase): Promise<void> => {
    outcome.messages += 1;
    if (fuzzCase.noReply) {
      outcome.no_reply += 1;
      connection.publish(fuzzCase.subject, fuzzCase.payload);
      return Promise.resolve();
    }
    outcome.with_reply += 1;
    const reply = `${REPLY_PREFIX}.${fuzzCase.index}`;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(fuzzCase.index);
        outcome.timeouts += 1;
        fail(fuzzCase, 'timeout');
        resolve();
      }, timeoutMs);
      pending.set(fuzzCase.index, (message) => {
        clearTimeout(timer);
        pending.delete(fuzzCase.index);
        classify(fuzzCase, message);
        resolve();
      });
      if (fuzzCase.rawHeader) {
        raw.publish(fuzzCase.subject, reply, fuzzCase.rawHeader, fuzzCase.payload);
      } else {
        const headers = fuzzCase.headers ? createHeaders() : undefined;
        for (const [key, value] of Object.entries(fuzzCase.headers ?? {})) headers?.set(key, value);
        connection.publish(fuzzCase.subject, fuzzCase.payload, { reply, ...(headers ? { headers } : {}) });
      }
    });
  };

  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency ?? 32 }, async () => {
      while (next < cases.length) {
        const fuzzCase = cases[next]!;
        next += 1;
        await send(fuzzCase);
      }
    }),
  );
  await connection.flush();
  outcome.duration_s = Number(((performance.now() - started) / 1_000).toFixed(2));
  outcome.typed_error_replies_pct = outcome.with_reply === 0 ? 0 : Number(((100 * outcome.typed_error_replies) / outcome.with_reply).toFixed(2));
  replies.unsubscribe();
  raw.close();
  return outcome;
}

/**
 * A minimal NATS protocol writer over TCP, for header blocks that nats.js refuses to build
 * (spaces or non-ASCII in header names, missing status line). Reconnects if the server drops it.
 */
class RawPublisher {
  #socket: Socket | undefined;

  constructor(private readonly port: number) {}

  publish(subject: string, reply: string, header: Uint8Array, payload: Uint8Array): void {
    const socket = this.#connect();
    const total = header.length + payload.length;
    socket.write(Buffer.concat([Buffer.from(`HPUB ${subject} ${reply} ${header.length} ${total}\r\n`), header, payload, Buffer.from('\r\n')]));
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #connect(): Socket {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const socket = connectTcp({ host: '127.0.0.1', port: this.port });
    socket.on('data', (chunk: Buffer) => {
      if (chunk.includes('PING\r\n')) socket.write('PONG\r\n');
    });
    socket.on('error', () => socket.destroy());
    socket.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1,"lang":"troupe-fuzz","version":"0"}\r\n');
    this.#socket = socket;
    return socket;
  }
}
