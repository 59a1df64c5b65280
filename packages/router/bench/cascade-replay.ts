import { normaliseAnswer, type OutcomeRow } from '@troupe/router';
import type { PolicyPoint } from './replay.js';

/**
 * A FrugalGPT-style cascade: call `models` cheapest first; accept as soon as the latest answer
 * agrees with an earlier one (taking the agreeing model with the best training score), else
 * escalate; the last model's answer stands. `gate` adds the router's signal: when the predicted
 * quality of the first model reaches it, that model alone is called.
 */
export interface CascadeVariant {
  models: number[];
  gate: number;
}

interface VariantStats {
  variant: CascadeVariant;
  meanQuality: number;
  meanCost: number;
}

/** Cascade variants and their training statistics, per task group. */
export interface CascadeModel {
  models: readonly string[];
  groups: Map<string, VariantStats[]>;
  /** Per group, model indices by training mean score: who wins among agreeing models. */
  ranks: Map<string, number[]>;
  /** Training rows per group. */
  sizes: Map<string, number>;
}

/** Task groups with fewer training rows than this share the all-rows group, so choices rest on enough data. */
export const MIN_GROUP_ROWS = 40;
/** Predicted-quality gates tried for the first model (Infinity: no gate). */
export const GATES = [Number.POSITIVE_INFINITY, 0.95, 0.9, 0.8, 0.7];
const ALL = '*';

/** Predicted quality of model `modelIndex` on row `rowIndex`. */
export type Predicted = (rowIndex: number, modelIndex: number) => number;

function answersOf(row: OutcomeRow, models: readonly string[]): string[] {
  return models.map((model) => {
    const text = row.responses?.[model];
    return text === undefined ? '' : normaliseAnswer(text);
  });
}

/** Replays one variant on one row; every called model is charged. */
function replay(row: OutcomeRow, answers: readonly string[], variant: CascadeVariant, firstPredicted: number, models: readonly string[], rank: readonly number[]): { score: number; cost: number; called: number[] } {
  const first = variant.models[0] as number;
  if (firstPredicted >= variant.gate) {
    const outcome = row.outcomes[models[first] as string];
    return { score: outcome?.score ?? 0, cost: outcome?.costUsd ?? 0, called: [first] };
  }
  let cost = 0;
  const called: number[] = [];
  for (const modelIndex of variant.models) {
    cost += row.outcomes[models[modelIndex] as string]?.costUsd ?? 0;
    called.push(modelIndex);
    const answer = answers[modelIndex] ?? '';
    if (called.length < 2 || answer.length === 0) continue;
    const agreeing = called.filter((index) => answers[index] === answer);
    if (agreeing.length >= 2) {
      const winner = agreeing.sort((left, right) => rank.indexOf(left) - rank.indexOf(right))[0] as number;
      return { score: row.outcomes[models[winner] as string]?.score ?? 0, cost, called };
    }
  }
  const last = variant.models[variant.models.length - 1] as number;
  return { score: row.outcomes[models[last] as string]?.score ?? 0, cost, called };
}

function groupOf(row: OutcomeRow, groups: ReadonlyMap<string, unknown>): string {
  return row.task !== undefined && groups.has(row.task) ? row.task : ALL;
}

/** Every cost-ascending chain of one to three models, with each gate for chains of two or more. */
function variantsFor(costOrder: readonly number[]): CascadeVariant[] {
  const variants: CascadeVariant[] = costOrder.map((index) => ({ models: [index], gate: Number.POSITIVE_INFINITY }));
  const chains: number[][] = [];
  for (let a = 0; a < costOrder.length; a += 1) {
    for (let b = a + 1; b < costOrder.length; b += 1) {
      chains.push([costOrder[a] as number, costOrder[b] as number]);
      for (let c = b + 1; c < costOrder.length; c += 1) chains.push([costOrder[a] as number, costOrder[b] as number, costOrder[c] as number]);
    }
  }
  for (const chain of chains) for (const gate of GATES) variants.push({ models: chain, gate });
  return variants;
}

/**
 * Fits the cascade on training rows only: per task group (plus an all-rows group), the training
 * mean score and cost of every variant. Gates read out-of-fold predictions, so they are not
 * flattered by the router having seen those rows.
 */
export function fitCascade(rows: readonly OutcomeRow[], models: readonly string[], predicted: Predicted): CascadeModel {
  const byGroup = new Map<string, number[]>([[ALL, rows.map((_, index) => index)]]);
  const counts = new Map<string, number[]>();
  rows.forEach((row, index) => {
    if (row.task !== undefined) counts.set(row.task, [...(counts.get(row.task) ?? []), index]);
  });
  for (const [task, indices] of counts) if (indices.length >= MIN_GROUP_ROWS) byGroup.set(task, indices);
  const answers = rows.map((row) => answersOf(row, models));
  const groups = new Map<string, VariantStats[]>();
  const ranks = new Map<string, number[]>();
  const sizes = new Map([...byGroup].map(([group, indices]) => [group, indices.length]));
  for (const [group, indices] of byGroup) {
    const mean = (modelIndex: number, field: 'score' | 'costUsd'): number =>
      indices.reduce((sum, rowIndex) => sum + (rows[rowIndex]?.outcomes[models[modelIndex] as string]?.[field] ?? 0), 0) / indices.length;
    const all = models.map((_, index) => index);
    const rank = [...all].sort((left, right) => mean(right, 'score') - mean(left, 'score'));
    ranks.set(group, rank);
    const costOrder = [...all].sort((left, right) => mean(left, 'costUsd') - mean(right, 'costUsd'));
    groups.set(
      group,
      variantsFor(costOrder).map((variant) => {
        let score = 0;
        let cost = 0;
        for (const rowIndex of indices) {
          const result = replay(rows[rowIndex] as OutcomeRow, answers[rowIndex] as string[], variant, predicted(rowIndex, variant.models[0] as number), models, rank);
          score += result.score;
          cost += result.cost;
        }
        return { variant, meanQuality: score / indices.length, meanCost: cost / indices.length };
      }),
    );
  }
  return { models, groups, ranks, sizes };
}

function choose(stats: readonly VariantStats[], costWeight: number): CascadeVariant {
  let best: VariantStats | undefined;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (const entry of stats) {
    const value = Number.isFinite(costWeight) ? entry.meanQuality - costWeight * entry.meanCost : -entry.meanCost + 1e-9 * entry.meanQuality;
    // Ties go to the cheaper variant: same expected score, less spent.
    if (value > bestValue + 1e-12 || (Math.abs(value - bestValue) <= 1e-12 && best && entry.meanCost < best.meanCost)) {
      best = entry;
      bestValue = value;
    }
  }
  return (best as VariantStats).variant;
}

/** Human-readable form of a variant, for the report. */
export function describeVariant(variant: CascadeVariant, models: readonly string[]): string {
  const chain = variant.models.map((index) => models[index]).join(' > ');
  return Number.isFinite(variant.gate) ? `${chain} (gate ${variant.gate})` : chain;
}

/** The cascade's curve on test rows: per λ, each group's best training variant, replayed and charged for every call. */
export function cascadeCurve(
  fitted: CascadeModel,
  rows: readonly OutcomeRow[],
  predicted: Predicted,
  strong: string,
  grid: readonly number[],
): Array<PolicyPoint & { chains: Record<string, string> }> {
  const strongIndex = fitted.models.indexOf(strong);
  const answers = rows.map((row) => answersOf(row, fitted.models));
  return grid.map((costWeight) => {
    const chosen = new Map([...fitted.groups].map(([group, stats]) => [group, choose(stats, costWeight)]));
    let quality = 0;
    let cost = 0;
    let strongCalls = 0;
    rows.forEach((row, rowIndex) => {
      const group = groupOf(row, fitted.groups);
      const variant = chosen.get(group) as CascadeVariant;
      const result = replay(row, answers[rowIndex] as string[], variant, predicted(rowIndex, variant.models[0] as number), fitted.models, fitted.ranks.get(group) ?? []);
      quality += result.score;
      cost += result.cost;
      if (result.called.includes(strongIndex)) strongCalls += 1;
    });
    const chains = Object.fromEntries([...chosen].map(([group, variant]) => [group, describeVariant(variant, fitted.models)]));
    return { costWeight, meanQuality: quality / rows.length, totalCost: cost, strongCalls, chains };
  });
}
