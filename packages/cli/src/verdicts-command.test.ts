import { describe, expect, it } from 'vitest';
import { createKvVerdictLog } from '@troupe/durability';
import { connectNats } from '@troupe/transport';
import { startNatsServer } from '@troupe/testing';
import { verdictsCommand } from './verdicts-command.js';

describe('troupe verdicts', () => {
  it("prints a task's stored verdicts by node and attempt, with failed checks and reasons", async () => {
    await using server = await startNatsServer();
    const connection = await connectNats({ servers: server.url });
    const log = await createKvVerdictLog({ connection });
    const base = { taskId: 'task-9', tenant: 'acme', skill: 'extract', model: 'echo', score: 1 };
    await log.record({ ...base, nodeId: 'a', attempt: 1, decision: 'retry', reasons: ['schema: missing "total"'], checks: [{ name: 'schema', passed: false }] });
    await log.record({ ...base, nodeId: 'a', attempt: 2, decision: 'pass', reasons: [], checks: [{ name: 'schema', passed: true }] });
    await log.record({ ...base, taskId: 'other', nodeId: 'a', attempt: 1, decision: 'pass', reasons: [], checks: [] });
    await connection.drain();
    const lines: string[] = [];
    expect(await verdictsCommand('task-9', { natsUrl: server.url, tenant: 'acme', json: false, write: (line) => lines.push(line) })).toBe(2);
    expect(lines).toEqual(['a#1 retry (echo) failed: schema', '  schema: missing "total"', 'a#2 pass (echo)']);
    const none: string[] = [];
    expect(await verdictsCommand('task-9', { natsUrl: server.url, tenant: 'globex', json: false, write: (line) => none.push(line) })).toBe(0);
    expect(none[0]).toContain('no stored verdicts');
  });
});
