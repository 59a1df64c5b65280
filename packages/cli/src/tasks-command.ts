import { listTaskRecords } from '@troupe/durability';
import { TaskBoard, TaskRecordWire, startNatsFeed, type TaskView } from '@troupe/dashboard';
import { connectNats, silentLogger } from '@troupe/transport';
import { formatMs, formatTable, formatUsd } from './text-table.js';

export interface TasksCommandOptions {
  natsUrl: string;
  tenant?: string;
  /** Newest tasks shown (default 20). */
  limit?: number;
  /** Keep following: redraw on a terminal, one line per change elsewhere, until SIGINT or `signal`. */
  watch?: boolean;
  json?: boolean;
  credsFile?: string;
  write?: (line: string) => void;
  isTTY?: boolean;
  signal?: AbortSignal;
}

const HEADER = ['started', 'task', 'tenant', 'pipeline', 'status', 'nodes', 'cost', 'saved', 'latency', 'verdict'];
const ALIGN = ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'left'] as const;

const clock = (at: number) => new Date(at).toISOString().slice(11, 19);

/** One table row per task. */
export function taskRow(task: TaskView): string[] {
  const done = task.nodes.filter((node) => node.status === 'succeeded' || node.status === 'skipped').length;
  return [
    clock(task.startedAt),
    task.id,
    task.tenant,
    task.pipeline,
    task.status,
    `${done}/${task.nodes.length}`,
    formatUsd(task.costUsd),
    formatUsd(task.savingsUsd),
    formatMs(task.latencyMs),
    task.verdict ?? '–',
  ];
}

/**
 * `troupe tasks [--watch]`: the recent tasks from the planner's task records (KV `troupe_tasks`),
 * newest first; `--watch` follows records and progress events live over NATS, like the dashboard.
 */
export async function tasksCommand(options: TasksCommandOptions): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const limit = options.limit ?? 20;
  const connection = await connectNats({
    servers: options.natsUrl,
    maxReconnectAttempts: options.watch ? -1 : 0,
    ...(options.credsFile ? { credsFile: options.credsFile } : {}),
  });
  const board = new TaskBoard(Math.max(limit, 500));
  const visible = () => board.tasks(options.tenant).slice(0, limit);
  try {
    if (!options.watch) {
      const records = await listTaskRecords({ connection, ...(options.tenant ? { tenant: options.tenant } : {}), timeoutMs: 10_000 });
      for (const record of records) {
        const parsed = TaskRecordWire.safeParse(record);
        if (parsed.success) board.applyRecord(parsed.data);
      }
      const tasks = visible();
      if (options.json) write(JSON.stringify(tasks, null, 2));
      else if (tasks.length === 0) write('no task records yet (tasks are recorded when the planner runs durable, the default)');
      else for (const line of formatTable(HEADER, tasks.map(taskRow), ALIGN)) write(line);
      return tasks.length;
    }
    return await watchTasks(options, { write, board, visible, connection });
  } finally {
    await connection.drain().catch(() => undefined);
  }
}

async function watchTasks(
  options: TasksCommandOptions,
  context: { write: (line: string) => void; board: TaskBoard; visible: () => TaskView[]; connection: Awaited<ReturnType<typeof connectNats>> },
): Promise<number> {
  const tty = options.isTTY ?? Boolean(process.stdout.isTTY);
  const printed = new Map<string, string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const draw = () => {
    timer = undefined;
    const tasks = context.visible();
    if (tty) {
      // Clear the screen and redraw the whole table: one view that updates, not a scroll of lines.
      process.stdout.write('\x1b[2J\x1b[H');
      context.write(`troupe tasks --watch · ${new Date().toISOString().slice(11, 19)} · ctrl-c to stop`);
      for (const line of formatTable(HEADER, tasks.map(taskRow), ALIGN)) context.write(line);
      return;
    }
    for (const task of [...tasks].reverse()) {
      const row = taskRow(task);
      const line = row.join('  ');
      if (printed.get(task.id) === line) continue;
      printed.set(task.id, line);
      context.write(options.json ? JSON.stringify(task) : line);
    }
  };
  const feed = startNatsFeed({
    connection: context.connection,
    board: context.board,
    logger: silentLogger,
    servicesIntervalMs: 3_600_000,
    onChange: () => {
      timer ??= setTimeout(draw, 300);
    },
  });
  if (!tty && !options.json) context.write(HEADER.join('  '));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    options.signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (timer) clearTimeout(timer);
  await feed.dispose();
  return context.visible().length;
}
