import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { Header, ProgressEvent, SUBJECT_ROOT } from '@troupe/protocol';
import type { Logger } from '@troupe/transport';
import { discoverServices } from './service-directory.js';
import type { TaskBoard } from './task-board.js';
import type { DeadLetterView, ServiceView } from './views.js';
import { DeadLetterWire, TaskRecordWire, parseWire, traceIdOf } from './wire.js';

/** Where the runtime keeps its records; the names the durability package creates. */
export const FeedSource = {
  tasksBucket: 'troupe_tasks',
  deadLetterStream: 'TROUPE_DEAD_TASKS',
} as const;

export interface NatsFeedOptions {
  connection: NatsConnection;
  board: TaskBoard;
  logger: Logger;
  /** How often `$SRV.STATS`/`$SRV.INFO` are asked (default 2 s). */
  servicesIntervalMs?: number;
  /** How many dead letters to read back at start (default 100). */
  deadLetterBacklog?: number;
  onChange(): void;
}

export interface NatsFeed extends AsyncDisposable {
  services(): ServiceView[];
  deadLetters(): DeadLetterView[];
  readonly health: { events: boolean; records: boolean; deadLetters: boolean; services: boolean };
  dispose(): Promise<void>;
}

const RETRY_MS = 2_000;

/**
 * Follows the runtime over NATS only: progress events on `troupe.v1.*.events.>`, task records as
 * they are written (a KV watch on `troupe_tasks`), dead letters (the stream's backlog, then live
 * on `troupe.v1.*.tasks.dead`), and the services' own `$SRV` stats. It never asks a planner.
 */
export function startNatsFeed(options: NatsFeedOptions): NatsFeed {
  const { connection, board, logger, onChange } = options;
  const health = { events: false, records: false, deadLetters: false, services: false };
  const subscriptions: Subscription[] = [];
  const letters = new Map<string, DeadLetterView>();
  let services: ServiceView[] = [];
  let disposed = false;
  let stopWatch: (() => void) | undefined;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (run: () => void, ms: number) => {
    if (disposed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  subscriptions.push(
    connection.subscribe(`${SUBJECT_ROOT}.*.events.>`, {
      callback: (error, message) => {
        if (error) return logger.warn({ err: error }, 'event subscription failed');
        const tenant = message.subject.split('.')[2];
        const event = parseWire(ProgressEvent, message.data);
        if (!tenant || !event) return;
        board.applyEvent(tenant, event, traceIdOf(message.headers?.get(Header.traceparent)));
        onChange();
      },
    }),
  );
  health.events = true;

  const addLetter = (message: Pick<Msg, 'data'>) => {
    const letter = parseWire(DeadLetterWire, message.data);
    if (!letter) return;
    letters.set(`${letter.tenant}.${letter.taskId}`, {
      tenant: letter.tenant,
      taskId: letter.taskId,
      code: letter.reason.code,
      reason: letter.reason.message,
      deliveries: letter.deliveries,
      deadAt: letter.deadAt,
    });
    onChange();
  };
  subscriptions.push(
    connection.subscribe(`${SUBJECT_ROOT}.*.tasks.dead`, { callback: (error, message) => (error ? undefined : addLetter(message)) }),
  );

  const readDeadLetters = async () => {
    try {
      const manager = await jetstreamManager(connection);
      const info = await manager.streams.info(FeedSource.deadLetterStream);
      const first = Math.max(info.state.first_seq, info.state.last_seq - (options.deadLetterBacklog ?? 100) + 1);
      for (let sequence = first; sequence <= info.state.last_seq && sequence > 0; sequence += 1) {
        const stored = await manager.streams.getMessage(FeedSource.deadLetterStream, { seq: sequence }).catch(() => null);
        if (stored) addLetter(stored);
      }
      health.deadLetters = true;
    } catch {
      // No dead-letter stream yet (nothing was ever dead-lettered, or not durable): look again later.
      later(() => void readDeadLetters(), RETRY_MS * 5);
    }
  };

  const watchRecords = async () => {
    try {
      const manager = await jetstreamManager(connection);
      await manager.streams.info(`KV_${FeedSource.tasksBucket}`);
      const kv = await new Kvm(connection).open(FeedSource.tasksBucket);
      const watch = await kv.watch();
      stopWatch = () => watch.stop();
      health.records = true;
      onChange();
      for await (const entry of watch) {
        if (disposed) break;
        if (entry.operation !== 'PUT') continue;
        const record = parseWire(TaskRecordWire, entry.value);
        if (record) {
          board.applyRecord(record);
          onChange();
        }
      }
    } catch (error) {
      if (disposed) return;
      logger.debug({ err: error }, 'task records not readable yet');
    }
    health.records = false;
    later(() => void watchRecords(), RETRY_MS);
  };

  const pollServices = async () => {
    try {
      services = await discoverServices(connection);
      health.services = true;
      onChange();
    } catch (error) {
      health.services = false;
      logger.debug({ err: error }, 'service discovery failed');
    }
    later(() => void pollServices(), options.servicesIntervalMs ?? 2_000);
  };

  void readDeadLetters();
  void watchRecords();
  void pollServices();

  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    for (const timer of timers) clearTimeout(timer);
    stopWatch?.();
    for (const subscription of subscriptions) subscription.unsubscribe();
  };
  return {
    services: () => services,
    deadLetters: () => [...letters.values()].sort((a, b) => b.deadAt - a.deadAt),
    health,
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}
