export {
  defineSkill,
  isCodeSkill,
  type CodeSkill,
  type SkillContext,
  type SkillDefinition,
  type SkillModelCall,
  type SkillModelResult,
} from './define-skill.js';
export { CODE_PROVIDER, runCodeSkill, type RunCodeSkillOptions } from './run-code-skill.js';
export { codeSkillTool, type SkillTool } from './code-skill-tool.js';
export { loadSkillsModule } from './skills-module.js';
export {
  ORDERS_DATABASE_SETTING,
  OrderLookupInput,
  OrderLookupOutput,
  createOrderLookupSkill,
  type OrderLookupOptions,
  type OrderLookupSkill,
} from './order-lookup.js';
export { default as triageSkills } from './triage-skills.js';
