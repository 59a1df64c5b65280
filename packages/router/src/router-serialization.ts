import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { CostStats } from './cost-model.js';
import type { LearnerSettings } from './quality-model.js';
import { createRouterState, type RouterState } from './router-state.js';
import type { FeatureOptions } from './text-features.js';

/** One model's learned state; only non-zero weights are stored, as base64 typed arrays. */
export interface SerializedProfile {
  id: string;
  bias: number;
  biasGradSq: number;
  updates: number;
  /** base64 of an Int32Array of weight indices. */
  indices: string;
  /** base64 of a Float32Array of weights at `indices`. */
  weights: string;
  /** base64 of a Float32Array of AdaGrad accumulators at `indices`. */
  gradSq: string;
  cost: CostStats;
}

/** A trained router as plain JSON, loadable by `loadRouter` in another process. */
export interface SerializedRouter {
  format: 'troupe-router';
  version: 1;
  features: FeatureOptions;
  embeddingDimension: number;
  learner: LearnerSettings;
  models: SerializedProfile[];
}

function toBase64(array: Int32Array | Float32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

function bytesOf(text: string): ArrayBuffer {
  const buffer = Buffer.from(text, 'base64');
  // Copy into a fresh ArrayBuffer: a Buffer's offset need not be aligned for 4-byte typed arrays.
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

/** The JSON form of a router state. */
export function serializeState(state: RouterState): SerializedRouter {
  const models: SerializedProfile[] = [];
  for (const profile of state.profiles.values()) {
    const { weights, gradSq } = profile.quality;
    const kept: number[] = [];
    for (let index = 0; index < weights.length; index += 1) if (weights[index] !== 0 || gradSq[index] !== 0) kept.push(index);
    const indices = Int32Array.from(kept);
    models.push({
      id: profile.id,
      bias: profile.quality.bias,
      biasGradSq: profile.quality.biasGradSq,
      updates: profile.quality.updates,
      indices: toBase64(indices),
      weights: toBase64(Float32Array.from(kept, (index) => weights[index] ?? 0)),
      gradSq: toBase64(Float32Array.from(kept, (index) => gradSq[index] ?? 0)),
      cost: structuredClone(profile.cost),
    });
  }
  return {
    format: 'troupe-router',
    version: 1,
    features: { ...state.extractor.options, charNgrams: [...state.extractor.options.charNgrams] },
    embeddingDimension: state.extractor.embeddingDimension,
    learner: { ...state.learner },
    models,
  };
}

function invalid(message: string, cause?: unknown): TroupeError {
  return new TroupeError(ErrorCode.CONFIG_INVALID, `not a serialised router: ${message}`, cause === undefined ? {} : { cause });
}

/** Rebuilds a router state from `serializeState` output (or its JSON.parse); throws CONFIG_INVALID on anything else. */
export function deserializeState(json: unknown): RouterState {
  const data = json as Partial<SerializedRouter> | null;
  if (!data || data.format !== 'troupe-router') throw invalid('format is not "troupe-router"');
  if (data.version !== 1) throw invalid(`unsupported version ${String(data.version)}`);
  if (!data.features || !data.learner || !Array.isArray(data.models)) throw invalid('missing features, learner or models');
  const state = createRouterState({ features: data.features, learner: data.learner, embeddingDimension: data.embeddingDimension ?? 0 });
  const dimension = state.extractor.dimension;
  for (const model of data.models) {
    try {
      const indices = new Int32Array(bytesOf(model.indices));
      const weights = new Float32Array(bytesOf(model.weights));
      const gradSq = new Float32Array(bytesOf(model.gradSq));
      if (weights.length !== indices.length || gradSq.length !== indices.length) throw new Error('array lengths differ');
      const full = new Float32Array(dimension);
      const fullGradSq = new Float32Array(dimension);
      for (let position = 0; position < indices.length; position += 1) {
        const index = indices[position] ?? -1;
        if (index < 0 || index >= dimension) throw new Error(`weight index ${index} outside 0..${dimension - 1}`);
        full[index] = weights[position] ?? 0;
        fullGradSq[index] = gradSq[position] ?? 0;
      }
      state.profiles.set(model.id, {
        id: model.id,
        quality: { bias: model.bias, biasGradSq: model.biasGradSq, updates: model.updates, weights: full, gradSq: fullGradSq },
        cost: structuredClone(model.cost),
      });
    } catch (cause) {
      throw invalid(`model "${model.id}": ${(cause as Error).message}`, cause);
    }
  }
  return state;
}
