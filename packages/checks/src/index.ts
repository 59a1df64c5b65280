export type { Check, CheckInput } from './check.js';
export { createSchemaCheck } from './schema-check.js';
export { createConfidenceCheck, createConsensusCheck, normaliseAnswer } from './consensus-check.js';
export { createPiiCheck, normalisePii, redact, type PiiCheckOptions, type PiiFinding } from './pii-check.js';
export { ALL_PII_KINDS, PiiKind, cardNetwork, findPii, ibanValid, luhnValid, type PiiMatch } from './pii-detectors.js';
export { createPolicyCheck, type PolicyCheckOptions, type PolicyRule } from './policy-check.js';
export { createFactualityCheck, type FactualityCheckOptions, type UnsupportedClaim } from './factuality-check.js';
export { extractClaims, type Claim, type ClaimKind } from './fact-extraction.js';
export { createLlmRubricCheck, type LlmRubricCheckOptions } from './llm-rubric-check.js';
export { RUBRIC_RESPONSE_SCHEMA, parseRubricJudgement, type RubricJudgement } from './rubric-prompt.js';
export { HARD_CHECKS, decideVerdict, isUnsure, type VerdictContext, type VerdictOutcome } from './verdict-policy.js';
export {
  createMemoryVerdictStore,
  judgeMetrics,
  recordVerdict,
  verdictKey,
  type GroundTruthLabel,
  type JudgeMetrics,
  type VerdictRecord,
  type VerdictStore,
} from './judge-record.js';
export { createDegenerationCheck, findDegeneration, type DegenerationCheckOptions, type DegenerationFinding } from './degeneration-check.js';
