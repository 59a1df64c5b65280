export { createRouter, loadRouter, type PredictRequest, type Router, type RouterOptions } from './router.js';
export { trainRouter, DEFAULT_GRID, type EmbedFunction, type TrainOptions, type TrainReport } from './train-router.js';
export type {
  ModelHealth,
  ModelPrediction,
  OutcomeExample,
  RankedCandidate,
  RouteDecision,
  RouteRequest,
} from './route-request.js';
export { QUALITY_KNOBS, cascadeOrder, costWeightFor, rankByObjective } from './route-objective.js';
export { scoreFromVerdict } from './online-feedback.js';
export { agreeingWithLatest, normaliseAnswer, type CascadeAnswer } from './answer-agreement.js';
export { parseOutcomeJsonl, parseOutcomeRow, type ModelOutcome, type OutcomeRow } from './outcome-row.js';
export type { SerializedProfile, SerializedRouter } from './router-serialization.js';
export { createFeatureExtractor, DEFAULT_FEATURE_OPTIONS, type FeatureExtractor, type FeatureOptions, type FeatureVector, type PromptTags } from './text-features.js';
export { DEFAULT_LEARNER, type LearnerSettings } from './quality-model.js';
export { DEFAULT_EXPECTED_OUTPUT_TOKENS, MIN_COST_OBSERVATIONS } from './cost-model.js';
export { estimateTokens } from './token-estimate.js';
export { hashString } from './hashing.js';
export type { CrossValidationResult } from './cross-validation.js';
export { aiq, bestQualityWithin, hullValue, upperHull, type CurvePoint } from './metrics/cost-quality-curve.js';
export { averagePgr, callPerformanceThreshold, performanceGapRecovered, type GapPoint } from './metrics/routellm-metrics.js';
export { policyGroup, replaySteps, trainCascadePolicy, type CascadePolicy, type CascadeTrainOptions, type PolicyStep, type ReplayOutcome } from './cascade-policy.js';
export { ROUTER_BUCKET, ROUTER_KEY, RouterArtifact, RouterDocument, openRouterStore, routerFromDocument, type LearnedOutcome, type RouterStore } from './router-store.js';
