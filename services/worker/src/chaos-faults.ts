import { z } from 'zod';
import type { NodeResultLedger } from '@troupe/runtime';

/** Fault injection for `npm run chaos` only; unset in every real deployment. */
export const ChaosEnv = z.object({
  /**
   * Kill this worker (SIGKILL, no cleanup) right after its Nth model call returns and before the
   * ledger stores the result: the "finished but never stored" case the chaos bench must count.
   */
  TROUPE_CHAOS_KILL_AFTER_CALL: z.coerce.number().int().min(1).optional(),
});

/**
 * Wraps the node ledger so that the process dies between the model call and the ledger's end record
 * on the Nth execution. A kill -9 from outside cannot aim at that window; this can.
 */
export function withKillAfterCall(ledger: NodeResultLedger, afterCalls: number | undefined): NodeResultLedger {
  if (afterCalls === undefined) return ledger;
  let calls = 0;
  return {
    runOnce: (request, execute, signal) =>
      ledger.runOnce(
        request,
        async () => {
          const result = await execute();
          calls += 1;
          if (calls >= afterCalls) process.kill(process.pid, 'SIGKILL');
          return result;
        },
        signal,
      ),
  };
}
