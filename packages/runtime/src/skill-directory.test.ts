import { describe, expect, it } from 'vitest';
import { skillsOf } from './skill-directory.js';

describe('skillsOf: which skills one $SRV.INFO answer offers', () => {
  it('reads endpoint metadata `skill` (ADR-32 with endpoint metadata)', () => {
    expect(skillsOf({ endpoints: [{ name: 'x', subject: 'anything', queue_group: 'q', metadata: { skill: 'extract' } }], metadata: {} })).toEqual(['extract']);
  });

  it('reads the skill from the endpoint subject when a library predates endpoint metadata', () => {
    const info = { endpoints: [{ name: 'a', subject: 'troupe.v1.internal.skills.word-count', queue_group: 'q' }, { name: 'b', subject: 'other.subject', queue_group: 'q' }], metadata: {} };
    expect(skillsOf(info as never)).toEqual(['word-count']);
  });

  it('falls back to service-level metadata `skills` or `skill` when no endpoint names one', () => {
    expect(skillsOf({ endpoints: [], metadata: { skills: 'faq, classify' } })).toEqual(['faq', 'classify']);
    expect(skillsOf({ endpoints: [{ name: 'run', subject: 'legacy.run', queue_group: 'q' }], metadata: { skill: 'summarize' } } as never)).toEqual(['summarize']);
  });

  it('ignores names that are no valid skill', () => {
    expect(skillsOf({ endpoints: [{ name: 'x', subject: 'troupe.v1.internal.skills.Bad*Name', queue_group: 'q' }], metadata: { skills: 'ok-skill,NOPE' } } as never)).toEqual(['ok-skill']);
  });
});
