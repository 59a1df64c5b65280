import { maxCostOf, type Pricing } from '@troupe/models';
import { tokenBucket } from './token-estimate.js';

/** Running sum and count of observed costs. */
export interface CostTally {
  sum: number;
  count: number;
}

/** What a model has cost so far, overall, per task tag and per prompt-length bucket. */
export interface CostStats {
  total: CostTally;
  byTask: Record<string, CostTally>;
  byBucket: Record<string, CostTally>;
}

/**
 * Pseudo-counts pulling a sparse group's mean toward its parent: a task seen twice should not
 * set the price, a task seen a thousand times should.
 */
const SHRINKAGE = 5;
/** Below this many observations, registry pricing (when known) beats the learned mean. */
export const MIN_COST_OBSERVATIONS = 3;
/** Output tokens assumed when pricing a registry model and the caller gave no `maxOutputTokens`. */
export const DEFAULT_EXPECTED_OUTPUT_TOKENS = 256;

/** Empty statistics. */
export function createCostStats(): CostStats {
  return { total: { sum: 0, count: 0 }, byTask: {}, byBucket: {} };
}

function tally(group: Record<string, CostTally>, key: string, costUsd: number): void {
  const entry = group[key] ?? { sum: 0, count: 0 };
  entry.sum += costUsd;
  entry.count += 1;
  group[key] = entry;
}

/** Records one call's cost (training rows and online outcomes alike). */
export function observeCost(stats: CostStats, costUsd: number, promptTokens: number, task?: string): void {
  stats.total.sum += costUsd;
  stats.total.count += 1;
  tally(stats.byBucket, String(tokenBucket(promptTokens)), costUsd);
  if (task) tally(stats.byTask, task, costUsd);
}

function shrunk(entry: CostTally | undefined, parent: number): number {
  if (!entry) return parent;
  return (entry.sum + SHRINKAGE * parent) / (entry.count + SHRINKAGE);
}

/**
 * Learned cost of one call: the task mean, shrunk toward the length-bucket mean, shrunk toward
 * the overall mean. Undefined when nothing has been observed.
 */
export function learnedCost(stats: CostStats, promptTokens: number, task?: string): number | undefined {
  if (stats.total.count === 0) return undefined;
  const overall = stats.total.sum / stats.total.count;
  const bucket = shrunk(stats.byBucket[String(tokenBucket(promptTokens))], overall);
  return task ? shrunk(stats.byTask[task], bucket) : bucket;
}

/**
 * Predicted USD cost of sending a prompt to a model: learned costs once there are enough
 * observations, otherwise registry pricing × estimated tokens, otherwise whatever was learned
 * (or 0 for a model with neither, e.g. a free local model).
 */
export function predictCost(
  stats: CostStats,
  promptTokens: number,
  options: { task?: string | undefined; pricing?: Pricing | undefined; maxOutputTokens?: number | undefined } = {},
): number {
  const learned = learnedCost(stats, promptTokens, options.task);
  if (learned !== undefined && stats.total.count >= MIN_COST_OBSERVATIONS) return learned;
  if (options.pricing) return maxCostOf(promptTokens, options.maxOutputTokens ?? DEFAULT_EXPECTED_OUTPUT_TOKENS, options.pricing);
  return learned ?? 0;
}
