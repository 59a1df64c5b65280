import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@troupe/protocol';
import { loadSkillsModule } from './skills-module.js';

describe('loadSkillsModule', () => {
  it('calls a default-exported factory and keeps the skills it returns', async () => {
    const skills = await loadSkillsModule(fileURLToPath(new URL('./triage-skills.ts', import.meta.url)));
    expect(skills.map((skill) => skill.name)).toEqual(['order-lookup']);
    await Promise.all(skills.map((skill) => (skill as Partial<AsyncDisposable>)[Symbol.asyncDispose]?.()));
  });

  it('names the setting when the module cannot be loaded or exports no skill', async () => {
    await expect(loadSkillsModule('./no/such/module.ts')).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      message: expect.stringContaining('TROUPE_SKILLS_MODULE'),
    });
    await expect(loadSkillsModule(fileURLToPath(new URL('./define-skill.ts', import.meta.url)))).rejects.toMatchObject({
      message: expect.stringContaining('exports no skill'),
    });
  });
});
