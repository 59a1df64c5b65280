import { createCostStats, type CostStats } from './cost-model.js';
import { DEFAULT_LEARNER, createQualityModel, type LearnerSettings, type QualityModel } from './quality-model.js';
import { createFeatureExtractor, type FeatureExtractor, type FeatureOptions } from './text-features.js';

/** Everything the router has learned about one model. */
export interface ModelProfile {
  id: string;
  quality: QualityModel;
  cost: CostStats;
}

/** The learned, serialisable part of a router; registry configs and health are supplied at run time. */
export interface RouterState {
  extractor: FeatureExtractor;
  learner: LearnerSettings;
  profiles: Map<string, ModelProfile>;
}

/** Prior expected score of a model nobody has told the router anything about. */
export const UNKNOWN_MODEL_PRIOR = 0.5;

/** An empty state: no models learned yet. */
export function createRouterState(
  options: { features?: Partial<FeatureOptions> | undefined; learner?: Partial<LearnerSettings> | undefined; embeddingDimension?: number | undefined } = {},
): RouterState {
  return {
    extractor: createFeatureExtractor(options.features, options.embeddingDimension ?? 0),
    learner: { ...DEFAULT_LEARNER, ...options.learner },
    profiles: new Map(),
  };
}

/** The profile of `id`, created at `prior` when the model is new. */
export function ensureProfile(state: RouterState, id: string, prior: number = UNKNOWN_MODEL_PRIOR): ModelProfile {
  let profile = state.profiles.get(id);
  if (!profile) {
    profile = { id, quality: createQualityModel(state.extractor.dimension, prior), cost: createCostStats() };
    state.profiles.set(id, profile);
  }
  return profile;
}
