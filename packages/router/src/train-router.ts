import { ErrorCode, TroupeError } from '@troupe/protocol';
import { observeCost } from './cost-model.js';
import { crossValidate, type CrossValidationResult } from './cross-validation.js';
import { fitQualityModels, type EncodedRow } from './fit-quality.js';
import type { OutcomeRow } from './outcome-row.js';
import type { LearnerSettings } from './quality-model.js';
import { routerFromState, type Router, type RouterOptions } from './router.js';
import { createRouterState, ensureProfile } from './router-state.js';
import { estimateTokens } from './token-estimate.js';

/** A local embedding model: texts in, one vector per text out. */
export type EmbedFunction = (texts: readonly string[]) => Promise<readonly ArrayLike<number>[]>;

/** Options of `trainRouter`. */
export interface TrainOptions extends RouterOptions {
  /** Learner settings to choose from by k-fold cross-validation on the training rows. */
  grid?: readonly LearnerSettings[] | undefined;
  /** Folds for cross-validation (default 5); 0 or 1 skips it and uses the first grid entry. */
  folds?: number | undefined;
  /** Optional local embedding model; its vectors join the hashed text features. */
  embed?: EmbedFunction | undefined;
  /** Texts per `embed` call. */
  embedBatchSize?: number | undefined;
  seed?: number | undefined;
}

/** What training did, for logs and benchmarks. */
export interface TrainReport {
  rows: number;
  models: string[];
  selected: LearnerSettings;
  crossValidation: CrossValidationResult[];
  /**
   * Out-of-fold predicted quality per model, aligned with the training rows (NaN where a row had
   * no prediction): honest inputs for tuning anything built on top of the router.
   */
  outOfFold: Map<string, Float64Array>;
}

/** A small grid over the two settings that matter for sparse logistic models: step size and L2 strength. */
export const DEFAULT_GRID: readonly LearnerSettings[] = [0.01, 0.02, 0.05].flatMap((learningRate) =>
  [1e-5, 1e-4, 1e-3].map((l2) => ({ learningRate, l2, epochs: 3 })),
);

async function embedAll(rows: readonly OutcomeRow[], embed: EmbedFunction, batchSize: number): Promise<ArrayLike<number>[]> {
  const vectors: ArrayLike<number>[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize).map((row) => row.prompt);
    const result = await embed(batch);
    if (result.length !== batch.length) {
      throw new TroupeError(ErrorCode.INTERNAL, `embed returned ${result.length} vectors for ${batch.length} texts`);
    }
    vectors.push(...result);
  }
  return vectors;
}

/**
 * Trains a router offline from recorded outcome rows: picks learner settings by cross-validation
 * on these rows only, fits one quality model per model on all of them, and tallies costs.
 *
 * @example
 * const rows = parseOutcomeJsonl(await readFile('outcomes.jsonl', 'utf8'));
 * const { router, report } = await trainRouter(rows, { models: registry.models });
 * await writeFile('router.json', JSON.stringify(router.toJSON()));
 */
export async function trainRouter(rows: readonly OutcomeRow[], options: TrainOptions = {}): Promise<{ router: Router; report: TrainReport }> {
  if (rows.length === 0) throw new TroupeError(ErrorCode.BAD_REQUEST, 'trainRouter needs at least one outcome row');
  const seed = options.seed ?? 1;
  const embeddings = options.embed ? await embedAll(rows, options.embed, options.embedBatchSize ?? 64) : undefined;
  const embeddingDimension = embeddings?.[0]?.length ?? options.embeddingDimension ?? 0;
  const state = createRouterState({ features: options.features, learner: options.learner, embeddingDimension });
  const encoded: EncodedRow[] = rows.map((row, index) => ({ row, features: state.extractor.extract(row.prompt, row, embeddings?.[index]) }));
  const models = [...new Set(rows.flatMap((row) => Object.keys(row.outcomes)))].sort();

  const grid = options.grid ?? (options.learner ? [state.learner] : DEFAULT_GRID);
  if (grid.length === 0) throw new TroupeError(ErrorCode.BAD_REQUEST, 'the learner grid is empty');
  const folds = options.folds ?? 5;
  const validation =
    folds >= 2 && grid.length > 0
      ? crossValidate(encoded, models, grid, { folds, dimension: state.extractor.dimension, seed })
      : { results: [], best: 0, outOfFold: new Map<string, Float64Array>() };
  const selected = grid[validation.best] ?? state.learner;
  state.learner = { ...selected };

  const allRows = encoded.map((_, index) => index);
  const fitted = fitQualityModels(encoded, allRows, models, state.extractor.dimension, state.learner, seed);
  for (const [model, quality] of fitted) ensureProfile(state, model).quality = quality;
  for (const row of rows) {
    const tokens = estimateTokens(row.prompt);
    for (const [model, outcome] of Object.entries(row.outcomes)) observeCost(ensureProfile(state, model).cost, outcome.costUsd, tokens, row.task);
  }
  return {
    router: routerFromState(state, options),
    report: { rows: rows.length, models, selected, crossValidation: validation.results, outOfFold: validation.outOfFold },
  };
}
