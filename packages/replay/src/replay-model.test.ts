import { describe, expect, it } from 'vitest';
import { costOf } from '@troupe/models';
import { createReplayModel, parseRecordedRows, REPLAY_PRICING, replayModelId } from './index.js';

const rows = [
  { id: 'r1', prompt: 'Pick A or B', models: { 'org/small': { score: 0, cost_usd: 0.0000706 }, big: { score: 1, cost_usd: 0.00354 } }, responses: { 'org/small': 'A', big: 'B' } },
].map((row) => JSON.stringify(row)).join('\n');

describe('replay model', () => {
  const book = parseRecordedRows(rows);
  it('answers with the recorded response and charges the recorded cost', async () => {
    const model = createReplayModel({ modelId: replayModelId('org/small'), recordedModel: 'org/small', book });
    expect(model.modelId).toBe('org--small');
    const subtaskInput = JSON.stringify({ task: 'Pick A or B', from: {} });
    const result = await model.doGenerate({ messages: [{ role: 'system', content: 'qa' }, { role: 'user', content: subtaskInput }] });
    expect(result.text).toBe('A');
    expect(costOf(result.usage, { ...REPLAY_PRICING })).toBeCloseTo(0.0000706, 12);
  });
  it('rejects a prompt with no recording with a typed error', async () => {
    const model = createReplayModel({ modelId: 'big', recordedModel: 'big', book });
    await expect(model.doGenerate({ messages: [{ role: 'user', content: 'unknown' }] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
  it('reports a malformed line by number', () => {
    expect(() => parseRecordedRows('{"prompt": 1}')).toThrow(/line 1/);
  });
});
