import { createRequire } from 'node:module';
import type pg from 'pg';
import { z } from 'zod';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { defineSkill, type CodeSkill } from './define-skill.js';

/** The setting (environment variable) that holds the orders database's connection string. */
export const ORDERS_DATABASE_SETTING = 'TROUPE_ORDERS_DATABASE_URL';

/** `orderId: null` when the ticket names no order: the lookup answers `found: false` without a query. */
export const OrderLookupInput = z.object({ orderId: z.string().min(1).max(64).nullable() });
export const OrderLookupOutput = z.object({
  orderId: z.string().nullable(),
  found: z.boolean(),
  status: z.string().nullable(),
  totalUsd: z.number().nullable(),
  eta: z.string().nullable(),
});
export type OrderLookupOutput = z.infer<typeof OrderLookupOutput>;

export interface OrderLookupOptions {
  /** PostgreSQL connection string; usually `process.env.TROUPE_ORDERS_DATABASE_URL`. */
  connectionString: string | undefined;
  /** Table with `order_id`, `status`, `total_usd`, `eta` columns; may be schema-qualified (default `orders`). */
  table?: string;
  connectTimeoutMs?: number;
}

export type OrderLookupSkill = CodeSkill<z.infer<typeof OrderLookupInput>, OrderLookupOutput> & AsyncDisposable & { dispose(): Promise<void> };

// pg's index builds its Pool from pg-pool, which resolves to ESM when Node runs with the `import`
// condition (vitest passes it) and then breaks pg's `class extends`; one lookup needs only the client.
const PgClient = createRequire(import.meta.url)('pg/lib/client.js') as typeof pg.Client;

const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;
// Order ids in ticket text look like `A-1042` or `#1042`.
const ORDER_ID_IN_TEXT = /\b([A-Z]{1,3}-\d{3,10})\b|#(\d{3,10})\b/;

/**
 * The support-triage `order-lookup` code skill: reads one order's status from PostgreSQL with a
 * parameterised query through a small `pg` pool. As a node it takes the order id from the task
 * (`orderId`, or an id like `A-1042` in the ticket `text`). A missing setting is CONFIG_INVALID and
 * an unreachable database UNAVAILABLE; both name `TROUPE_ORDERS_DATABASE_URL`, never its value.
 *
 * @example
 * const orderLookup = createOrderLookupSkill({ connectionString: process.env.TROUPE_ORDERS_DATABASE_URL });
 * await using troupe = await createTroupe({ connection, pipelines: [supportTriageWithOrders], codeSkills: [orderLookup] });
 */
export function createOrderLookupSkill(options: OrderLookupOptions): OrderLookupSkill {
  const table = options.table ?? 'orders';
  if (!IDENTIFIER.test(table)) throw new TroupeError(ErrorCode.CONFIG_INVALID, `order-lookup table "${table}" is not a plain [schema.]table name`);
  // One connection, opened on first use; pg queues concurrent queries on it. A broken one is dropped and reopened.
  let client: Promise<pg.Client> | undefined;
  const clientOf = (): Promise<pg.Client> => {
    if (!options.connectionString) {
      throw new TroupeError(
        ErrorCode.CONFIG_INVALID,
        `order-lookup needs ${ORDERS_DATABASE_SETTING} (a PostgreSQL connection string), and it is not set`,
        {
          details: { setting: ORDERS_DATABASE_SETTING },
        },
      );
    }
    const connectionString = options.connectionString;
    client ??= (async () => {
      const opened = new PgClient({ connectionString, connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000 });
      // A connection lost while idle must not crash the worker: forget it, the next lookup reconnects.
      const forget = () => {
        client = undefined;
      };
      opened.on('error', forget);
      opened.on('end', forget);
      try {
        await opened.connect();
      } catch (error) {
        forget();
        throw error;
      }
      return opened;
    })();
    return client;
  };
  const skill = defineSkill({
    name: 'order-lookup',
    description: 'Looks up an order by id in the orders database: status, total in USD and delivery estimate.',
    input: OrderLookupInput,
    output: OrderLookupOutput,
    fromNode: orderIdFromNode,
    async run({ orderId }, context) {
      if (orderId === null) return { orderId, found: false, status: null, totalUsd: null, eta: null };
      let rows: Array<{ status: string; total_usd: string | number | null; eta: string | Date | null }>;
      try {
        const result = await (await clientOf()).query({ text: `SELECT status, total_usd, eta FROM ${table} WHERE order_id = $1`, values: [orderId] });
        rows = result.rows;
      } catch (cause) {
        if (cause instanceof TroupeError) throw cause;
        const reason = cause instanceof Error ? cause.message : String(cause);
        const unreachable = !(
          cause instanceof Error &&
          'code' in cause &&
          typeof (cause as { code?: unknown }).code === 'string' &&
          /^[0-9A-Z]{5}$/.test((cause as { code: string }).code)
        );
        // SQLSTATE errors (bad table, permissions) are configuration; anything else means no connection.
        throw new TroupeError(
          unreachable ? ErrorCode.UNAVAILABLE : ErrorCode.CONFIG_INVALID,
          unreachable
            ? `order-lookup could not reach the database named by ${ORDERS_DATABASE_SETTING}: ${reason}`
            : `order-lookup query failed on the database named by ${ORDERS_DATABASE_SETTING}: ${reason}`,
          { cause, details: { setting: ORDERS_DATABASE_SETTING } },
        );
      }
      context.span?.setAttributes({ 'db.system.name': 'postgresql', 'db.collection.name': table, 'troupe.order.found': rows.length > 0 });
      const row = rows[0];
      if (!row) return { orderId, found: false, status: null, totalUsd: null, eta: null };
      return {
        orderId,
        found: true,
        status: row.status,
        totalUsd: row.total_usd === null ? null : Number(row.total_usd),
        eta: row.eta === null ? null : row.eta instanceof Date ? row.eta.toISOString().slice(0, 10) : String(row.eta),
      };
    },
  });
  let disposed: Promise<void> | undefined;
  const dispose = () => (disposed ??= client ? client.then((opened) => opened.end()).catch(() => undefined) : Promise.resolve());
  return { ...skill, dispose, [Symbol.asyncDispose]: dispose };
}

/** `{ task: { orderId } }` or an order id found in `{ task: { text } }`. */
function orderIdFromNode(nodeInput: unknown): unknown {
  const task = (nodeInput as { task?: unknown } | undefined)?.task;
  if (task && typeof task === 'object') {
    const { orderId, text } = task as { orderId?: unknown; text?: unknown };
    if (typeof orderId === 'string') return { orderId };
    const match = typeof text === 'string' ? ORDER_ID_IN_TEXT.exec(text) : null;
    if (match) return { orderId: match[1] ?? match[2] };
  }
  return { orderId: null };
}
