import { describe, expect, it } from 'vitest';
import { guardNearMiss, shapeOf } from './near-miss-guard.js';

const decide = (a: string, b: string) => guardNearMiss(shapeOf(a), shapeOf(b));

describe('near-miss guard', () => {
  it.each([
    ['Where is my order 1234?', 'Where is my order 5678?', 'value'],
    ['Can I exchange my shirt for a size medium?', 'Can I exchange my shirt for a size large?', 'value'],
    ['Is the store open on Sunday?', 'Is the store open on Saturday?', 'value'],
    ['Can I return a Nike shoe?', 'Can I return an Adidas shoe?', 'entity'],
    ['My payment went through', 'My payment did not go through', 'negation'],
    ['How do I enable notifications?', 'How do I disable notifications?', 'antonym enabl/disabl'],
    ['How do I lock my card?', 'How do I unlock my card?', 'antonym lock/unlock'],
    ['How do I transfer money from savings to checking?', 'How do I transfer money from checking to savings?', 'direction'],
    ['How do I get to the store?', 'How do I get from the store?', 'direction'],
    ['Does the Pro plan include the Basic features?', 'Does the Basic plan include the Pro features?', 'slot-order'],
    ['How long does shipping take?', 'How much does shipping cost?', 'question-type'],
    ['How do I reset my password?', 'How do I reset my router?', 'content'],
  ])('refuses %j for %j (%s)', (a, b, reason) => {
    expect(decide(a, b)).toMatchObject({ ok: false, reason });
    expect(decide(b, a).ok).toBe(false);
  });

  it.each([
    ['How do I reset my password?', 'How can I reset my password?'],
    ["I can't log in to my account", 'I cannot sign in to my account'],
    ['Can I buy a gift card?', 'Is it possible to purchase a gift card?'],
    ['Two items arrived broken', '2 items arrived damaged'],
    ['Does the room rate include breakfast?', 'Is breakfast included in the room rate?'],
    // Regression: `in` + `to` once read as a prefix antonym of `to`.
    ['How do I transfer money to savings?', 'How do I transfer money into savings?'],
  ])('accepts the paraphrase %j / %j', (a, b) => {
    expect(decide(a, b)).toMatchObject({ ok: true, rewording: false });
  });

  it('leaves a rewording with few shared words to the (raised) similarity threshold', () => {
    expect(decide('How do I talk to a human?', 'Is there a phone line for complaints?')).toMatchObject({ ok: true, rewording: true });
  });
});
