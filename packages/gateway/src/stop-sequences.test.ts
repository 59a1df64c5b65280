import { describe, expect, it } from 'vitest';
import { StopSequences } from './stop-sequences.js';

describe('StopSequences', () => {
  it('cuts streamed text at a stop sequence split across deltas, and sends nothing after it', () => {
    const stops = new StopSequences(['END']);
    const sent = ['Hello E', 'N', 'D and more', 'ignored'].map((delta) => stops.push(delta));
    expect(sent).toEqual(['Hello ', '', '', '']);
    expect(stops.stopped).toBe(true);
    expect(stops.flush()).toBe('');
  });

  it('releases held text once it cannot start a stop sequence, and the tail at the end', () => {
    const stops = new StopSequences(['\n\n']);
    expect(stops.push('a\n')).toBe('a');
    expect(stops.push('b\n')).toBe('\nb');
    expect(stops.flush()).toBe('\n');
  });

  it('applies to whole text with the earliest of several stops', () => {
    expect(StopSequences.apply('one, two; three', [';', ','])).toEqual({ text: 'one', stopped: true });
    expect(StopSequences.apply('no stop here', ['STOP'])).toEqual({ text: 'no stop here', stopped: false });
    expect(StopSequences.apply('kept', [])).toEqual({ text: 'kept', stopped: false });
  });
});
