import { describe, expect, it } from 'vitest';
import { refundPolicy } from './refund-policy-step.js';

describe('refundPolicy (the demo logic step, in code)', () => {
  it('refunds a broken item and names it', () => {
    expect(refundPolicy({ task: 'Ada lives in Paris and wants a refund for a broken kettle.', from: { extract: { name: 'Ada', city: 'Paris' } } })).toEqual({
      decision: 'refund',
      item: 'kettle',
      reason: 'A defective item is refunded in full within 30 days.',
    });
  });

  it('replaces a defect nobody asked a refund for, and sends a refund for a working item to a person', () => {
    expect(refundPolicy({ task: 'My toaster arrived damaged.', from: {} }).decision).toBe('replace');
    expect(refundPolicy({ task: 'I want my money back for the lamp, I changed my mind.', from: {} }).decision).toBe('review');
    expect(refundPolicy({ task: 'What are your opening hours?', from: {} }).decision).toBe('no-action');
  });

  it('rejects input that is not a node input', () => {
    expect(() => refundPolicy('just a string')).toThrow();
  });
});
