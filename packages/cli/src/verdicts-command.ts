import { createKvVerdictLog } from '@troupe/durability';
import { withNats } from './nats-target.js';

export interface VerdictsCommandOptions {
  natsUrl: string;
  tenant: string;
  json: boolean;
  credsFile?: string;
  write?: (line: string) => void;
}

/** `troupe verdicts <taskId>`: the stored judge verdicts of one task, by node and attempt. Returns how many. */
export async function verdictsCommand(taskId: string, options: VerdictsCommandOptions): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  return withNats(options.natsUrl, async (connection) => {
    const verdicts = await (await createKvVerdictLog({ connection })).listByTask(options.tenant, taskId, { timeoutMs: 10_000 });
    if (options.json) write(JSON.stringify(verdicts, null, 2));
    else if (verdicts.length === 0) write(`no stored verdicts for task ${taskId} (tenant ${options.tenant})`);
    else {
      for (const verdict of verdicts) {
        const failed = verdict.checks.filter((check) => !check.passed).map((check) => check.name);
        write(`${verdict.nodeId}#${verdict.attempt} ${verdict.decision}${verdict.model ? ` (${verdict.model})` : ''}${failed.length ? ` failed: ${failed.join(', ')}` : ''}`);
        for (const reason of verdict.reasons) write(`  ${reason}`);
      }
    }
    return verdicts.length;
  }, { ...(options.credsFile ? { credsFile: options.credsFile } : {}) });
}
