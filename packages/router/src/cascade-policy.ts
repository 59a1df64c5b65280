import { normaliseAnswer } from './answer-agreement.js';
import { hashString } from './hashing.js';
import type { OutcomeRow } from './outcome-row.js';

/**
 * One cascade a skill runs: models cheapest first with a gate between steps. `consensusWith` is
 * the peer model the gate asks the same subtask; absent on the last step, whose answer stands.
 */
export interface PolicyStep {
  model: string;
  consensusWith?: string;
}

/** A trained cascade policy: per task group (skill), the steps the runtime runs. */
export interface CascadePolicy {
  kind: 'troupe.cascade-policy';
  version: 1;
  models: string[];
  /** Task group → steps; `*` serves rows whose group was too small or unknown. */
  groups: Record<string, PolicyStep[]>;
  /** Cost weight chosen by cross-validation on the training rows. */
  costWeight: number;
  /** Largest share of the best single model's cost the choice was held to. */
  costShare: number;
  crossValidation: Array<{ costWeight: number; qualityVsBest: number; costVsBest: number }>;
  trainedOn: { rows: number; groups: Record<string, number> };
}

export interface CascadeTrainOptions {
  /** Largest cost, as a share of the best single model's, that cross-validation may spend (0.2). */
  costShare?: number;
  folds?: number;
  /** Groups with fewer training rows share the `*` group. */
  minGroupRows?: number;
}

/** What replaying a policy on one row gives: the accepted answer's score, what every call cost, and the calls. */
export interface ReplayOutcome {
  score: number;
  cost: number;
  calls: number;
  accepted: string;
}

const ALL = '*';
const GRID = [0, 1, 2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 100, 150, 200, 400, 800, 1600];

/** The group a row belongs to under a policy: its task when the policy has one, else `*`. */
export function policyGroup(groups: Readonly<Record<string, unknown>>, task: string | undefined): string {
  return task !== undefined && task in groups ? task : ALL;
}

/**
 * Replays steps on one recorded row exactly as the runtime runs them: each step's model answers;
 * a step with a peer also calls the peer (charged) and accepts the answer when their normalised
 * answers agree, else escalates; the last step's answer stands.
 */
export function replaySteps(row: OutcomeRow, steps: readonly PolicyStep[]): ReplayOutcome {
  let cost = 0;
  let calls = 0;
  for (const [index, step] of steps.entries()) {
    cost += row.outcomes[step.model]?.costUsd ?? 0;
    calls += 1;
    const last = index === steps.length - 1;
    if (last || step.consensusWith === undefined) return { score: row.outcomes[step.model]?.score ?? 0, cost, calls, accepted: step.model };
    cost += row.outcomes[step.consensusWith]?.costUsd ?? 0;
    calls += 1;
    const answer = normalisedResponse(row, step.model);
    if (answer.length > 0 && answer === normalisedResponse(row, step.consensusWith)) {
      return { score: row.outcomes[step.model]?.score ?? 0, cost, calls, accepted: step.model };
    }
  }
  return { score: 0, cost, calls, accepted: '' };
}

// Training replays each row's answers for every candidate cascade: normalise each answer once.
const normalised = new WeakMap<OutcomeRow, Map<string, string>>();
function normalisedResponse(row: OutcomeRow, model: string): string {
  let answers = normalised.get(row);
  if (!answers) normalised.set(row, (answers = new Map()));
  let answer = answers.get(model);
  if (answer === undefined) answers.set(model, (answer = normaliseAnswer(row.responses?.[model] ?? '')));
  return answer;
}

/** Candidate cascades: every single model, and every pair agreeing (cheaper two) before a costlier third. */
function candidates(costOrder: readonly string[]): PolicyStep[][] {
  const variants: PolicyStep[][] = costOrder.map((model) => [{ model }]);
  for (let a = 0; a < costOrder.length; a += 1) {
    for (let b = a + 1; b < costOrder.length; b += 1) {
      for (let c = b + 1; c < costOrder.length; c += 1) {
        variants.push([{ model: costOrder[a] as string, consensusWith: costOrder[b] as string }, { model: costOrder[c] as string }]);
      }
    }
  }
  return variants;
}

/** Index of the variant maximising quality − weight × cost, from per-variant totals (ties: cheaper). */
function choose(quality: ArrayLike<number>, cost: ArrayLike<number>, weight: number): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let variant = 0; variant < quality.length; variant += 1) {
    const value = (quality[variant] as number) - weight * (cost[variant] as number);
    if (value > bestValue + 1e-12 || (Math.abs(value - bestValue) <= 1e-12 && (cost[variant] as number) < (cost[best] as number))) {
      best = variant;
      bestValue = value;
    }
  }
  return best;
}

/** Per-variant totals over the rows `include` keeps. */
function totals(scores: Float64Array[], costs: Float64Array[], members: readonly number[], include: (index: number) => boolean): [Float64Array, Float64Array] {
  const quality = new Float64Array(scores.length);
  const cost = new Float64Array(scores.length);
  const kept = members.filter(include);
  for (let variant = 0; variant < scores.length; variant += 1) {
    const variantScores = scores[variant] as Float64Array;
    const variantCosts = costs[variant] as Float64Array;
    for (const index of kept) {
      quality[variant] = (quality[variant] as number) + (variantScores[index] as number);
      cost[variant] = (cost[variant] as number) + (variantCosts[index] as number);
    }
  }
  return [quality, cost];
}

/**
 * Trains a cascade policy on recorded rows only. Per group, every candidate cascade is replayed
 * on every row; the cost weight is chosen by k-fold cross-validation (choices made on k − 1 folds,
 * measured on the held-out fold): the best held-out quality whose held-out cost stays within
 * `costShare` of the best single model's. The final choice per group is refitted on all rows.
 */
export function trainCascadePolicy(rows: readonly OutcomeRow[], options: CascadeTrainOptions = {}): CascadePolicy {
  const costShare = options.costShare ?? 0.2;
  const folds = Math.max(2, options.folds ?? 5);
  const minGroupRows = options.minGroupRows ?? 40;
  const models = [...new Set(rows.flatMap((row) => Object.keys(row.outcomes)))].sort();
  const usable = rows.filter((row) => models.every((model) => row.outcomes[model]));
  if (usable.length === 0) throw new Error('no training row has an outcome for every model');
  const meanOf = (indices: readonly number[], model: string, field: 'score' | 'costUsd') =>
    indices.reduce((sum, index) => sum + (usable[index]?.outcomes[model]?.[field] ?? 0), 0) / Math.max(1, indices.length);
  const all = usable.map((_, index) => index);
  const best = [...models].sort((left, right) => meanOf(all, right, 'score') - meanOf(all, left, 'score'))[0] as string;

  const byGroup = new Map<string, number[]>([[ALL, all]]);
  const counts = new Map<string, number[]>();
  usable.forEach((row, index) => row.task !== undefined && counts.set(row.task, [...(counts.get(row.task) ?? []), index]));
  for (const [task, indices] of counts) if (indices.length >= minGroupRows) byGroup.set(task, indices);
  // Rows of a group that has its own policy are scored by it; the rest by `*`.
  const home = usable.map((row) => policyGroup(Object.fromEntries(byGroup), row.task));

  const fitted = new Map<string, { variants: PolicyStep[][]; scores: Float64Array[]; costs: Float64Array[]; members: number[] }>();
  for (const [group, members] of byGroup) {
    const costOrder = [...models].sort((left, right) => meanOf(members, left, 'costUsd') - meanOf(members, right, 'costUsd'));
    const variants = candidates(costOrder);
    const scores = variants.map(() => new Float64Array(usable.length));
    const costs = variants.map(() => new Float64Array(usable.length));
    variants.forEach((steps, variant) => {
      for (const index of members) {
        const outcome = replaySteps(usable[index] as OutcomeRow, steps);
        (scores[variant] as Float64Array)[index] = outcome.score;
        (costs[variant] as Float64Array)[index] = outcome.cost;
      }
    });
    fitted.set(group, { variants, scores, costs, members });
  }

  const foldOf = usable.map((row, index) => hashString(`fold:${row.id ?? index}`) % folds);
  // Per group and fold, the variant totals on the other folds: the choices cross-validation makes.
  const foldTotals = new Map([...fitted].map(([group, entry]) => [group, Array.from({ length: folds }, (_, fold) => totals(entry.scores, entry.costs, entry.members, (index) => foldOf[index] !== fold))]));
  const crossValidation = GRID.map((costWeight) => {
    let quality = 0;
    let cost = 0;
    let bestQuality = 0;
    let bestCost = 0;
    for (let fold = 0; fold < folds; fold += 1) {
      for (const [group, entry] of fitted) {
        const testRows = entry.members.filter((index) => foldOf[index] === fold && home[index] === group);
        if (testRows.length === 0) continue;
        const [trainQuality, trainCost] = foldTotals.get(group)?.[fold] as [Float64Array, Float64Array];
        const chosen = choose(trainQuality, trainCost, costWeight);
        for (const index of testRows) {
          quality += (entry.scores[chosen] as Float64Array)[index] as number;
          cost += (entry.costs[chosen] as Float64Array)[index] as number;
          bestQuality += usable[index]?.outcomes[best]?.score ?? 0;
          bestCost += usable[index]?.outcomes[best]?.costUsd ?? 0;
        }
      }
    }
    return { costWeight, qualityVsBest: quality / bestQuality, costVsBest: cost / bestCost };
  });
  const affordable = crossValidation.filter((entry) => entry.costVsBest <= costShare);
  const pick = (affordable.length > 0 ? affordable : [crossValidation[crossValidation.length - 1]!]).sort((left, right) => right.qualityVsBest - left.qualityVsBest || left.costVsBest - right.costVsBest)[0]!;
  const groups: Record<string, PolicyStep[]> = {};
  for (const [group, entry] of fitted) groups[group] = entry.variants[choose(...totals(entry.scores, entry.costs, entry.members, () => true), pick.costWeight)] as PolicyStep[];
  return {
    kind: 'troupe.cascade-policy',
    version: 1,
    models,
    groups,
    costWeight: pick.costWeight,
    costShare,
    crossValidation,
    trainedOn: { rows: usable.length, groups: Object.fromEntries([...byGroup].map(([group, members]) => [group, members.length])) },
  };
}
