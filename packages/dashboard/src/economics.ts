import type { CallSample } from './task-board.js';
import type { EconomicsView, TaskView } from './views.js';

/**
 * The economics view from the tasks and model calls in view: cost per finished task against the
 * all-reference-model cost, calls per model and tier, judge pass rates per skill and model, and the
 * router's latest choice per skill.
 */
export function computeEconomics(tasks: readonly TaskView[], calls: readonly CallSample[], limit = 200): EconomicsView {
  const finished = tasks
    .filter((task) => task.finishedAt !== undefined)
    .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0))
    .slice(-limit);
  const costSeries = finished.map((task) => ({
    at: task.finishedAt ?? task.updatedAt,
    taskId: task.id,
    costUsd: task.costUsd,
    ...(task.referenceCostUsd !== undefined ? { referenceCostUsd: task.referenceCostUsd } : {}),
  }));
  const priced = costSeries.filter((point) => point.referenceCostUsd !== undefined);

  const byModel = new Map<string, { model: string; tier: string; calls: number }>();
  const byTier = new Map<string, number>();
  const rates = new Map<string, { skill: string; model: string; passed: number; judged: number }>();
  const choices = new Map<string, { skill: string; model: string; at: number }>();
  for (const call of calls) {
    const model = byModel.get(call.model) ?? { model: call.model, tier: call.tier, calls: 0 };
    model.calls += 1;
    model.tier = call.tier;
    byModel.set(call.model, model);
    byTier.set(call.tier, (byTier.get(call.tier) ?? 0) + 1);
    if (call.verdict) {
      const key = `${call.skill}\u0000${call.model}`;
      const rate = rates.get(key) ?? { skill: call.skill, model: call.model, passed: 0, judged: 0 };
      rate.judged += 1;
      if (call.verdict === 'pass') rate.passed += 1;
      rates.set(key, rate);
    }
    const choice = choices.get(call.skill);
    if (!choice || choice.at <= call.at) choices.set(call.skill, { skill: call.skill, model: call.model, at: call.at });
  }

  return {
    costSeries,
    totalCostUsd: finished.reduce((sum, task) => sum + task.costUsd, 0),
    ...(priced.length > 0 ? { totalReferenceCostUsd: priced.reduce((sum, point) => sum + (point.referenceCostUsd ?? 0), 0) } : {}),
    callsByModel: [...byModel.values()].sort((a, b) => b.calls - a.calls),
    callsByTier: [...byTier.entries()].map(([tier, count]) => ({ tier, calls: count })).sort((a, b) => b.calls - a.calls),
    passRates: [...rates.values()].sort((a, b) => a.skill.localeCompare(b.skill) || a.model.localeCompare(b.model)),
    routerChoices: [...choices.values()].sort((a, b) => a.skill.localeCompare(b.skill)),
  };
}
