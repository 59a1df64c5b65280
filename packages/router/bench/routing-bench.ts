// `npm run bench:routing -- --data <jsonl> [--train <jsonl> | --split <share>]`: trains the router on
// training rows (choosing its settings by cross-validation there), replays the test rows, and
// prints progress to stderr and ONE JSON line last on stdout.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { hashString, parseOutcomeJsonl, trainRouter, type ModelPrediction, type OutcomeRow } from '@troupe/router';
import { parseBenchArgs } from './bench-args.js';
import { cascadeCurve, fitCascade } from './cascade-replay.js';
import { computeBaselines, costWeightGrid, paretoPoints, routerCurve, summarise, type PolicyPoint } from './replay.js';
import { knobPoints, measureLatency, round } from './bench-report.js';

const log = (message: string): void => void process.stderr.write(`[bench:routing] ${message}\n`);
const args = parseBenchArgs(process.argv.slice(2));
const dataRows = parseOutcomeJsonl(readFileSync(args.data, 'utf8'));
let trainRows: OutcomeRow[];
let testRows: OutcomeRow[];
if (args.split !== undefined) {
  // Hash of the id (not file order), so the split is reproducible and independent of row order.
  const share = args.split;
  const isTest = (row: OutcomeRow): boolean => hashString(`split:${row.id ?? row.prompt}`) / 4294967296 < share;
  testRows = dataRows.filter(isTest);
  trainRows = dataRows.filter((row) => !isTest(row));
} else {
  trainRows = parseOutcomeJsonl(readFileSync(args.train as string, 'utf8'));
  testRows = dataRows;
}
if (trainRows.length === 0 || testRows.length === 0) throw new Error(`need rows to train and test on (train ${trainRows.length}, test ${testRows.length})`);

const notes: string[] = [];
const skipped: Record<string, string> = {};
const trainedModels = new Set(trainRows.flatMap((row) => Object.keys(row.outcomes)));
const testModels = [...new Set(testRows.flatMap((row) => Object.keys(row.outcomes)))].sort();
// A model graded on nearly every test row is kept and the few rows lacking it are dropped; a model
// graded on fewer rows is skipped, so every policy is compared on the same rows and models.
const COVERAGE = 0.9;
const models = testModels.filter((model) => {
  const graded = testRows.filter((row) => row.outcomes[model]).length;
  if (!trainedModels.has(model)) skipped[model] = 'not in the training data';
  else if (graded < COVERAGE * testRows.length) skipped[model] = `graded on only ${graded} of ${testRows.length} test rows`;
  else return true;
  return false;
});
for (const model of trainedModels) if (!testModels.includes(model)) skipped[model] = 'in the training data only; nothing to replay';
if (models.length === 0) throw new Error('no model has outcomes in both the training rows and the test rows');
if (Object.keys(skipped).length > 0) notes.push(`skipped ${Object.keys(skipped).length} model(s); see skipped_models`);
const complete = testRows.filter((row) => models.every((model) => row.outcomes[model]));
if (complete.length < testRows.length) notes.push(`dropped ${testRows.length - complete.length} test rows lacking an outcome for a kept model`);
testRows = complete;
if (testRows.length === 0) throw new Error('no test row has outcomes for every kept model');
const withResponses = testRows.filter((row) => row.responses && Object.keys(row.responses).length > 0).length;
if (withResponses < testRows.length) notes.push(`${testRows.length - withResponses} test rows have no recorded responses: the cascade's agreement signal is off there`);
log(`train ${trainRows.length} rows, test ${testRows.length} rows, ${models.length} models`);

const started = performance.now();
const { router, report } = await trainRouter(trainRows, { folds: args.folds, seed: args.seed });
const trainSeconds = (performance.now() - started) / 1000;
log(`trained in ${trainSeconds.toFixed(1)} s; selected ${JSON.stringify(report.selected)}`);

const pick = (predictions: ModelPrediction[]): ModelPrediction[] => models.map((model) => predictions.find((entry) => entry.model === model) as ModelPrediction);
const testPredictions = testRows.map((row) => pick(router.predict(row)));
const baselines = computeBaselines(testRows, models);
const strong = baselines.best.model;
const grid = costWeightGrid();

const routerPoints = routerCurve(testRows, testPredictions, strong, grid);
const routerSummary = summarise(routerPoints, baselines);

// The cascade is fitted on training rows with out-of-fold router predictions, never on test rows.
const trainIndex = models.map((model) => report.outOfFold.get(model));
const cascade = fitCascade(trainRows, models, (row, model) => trainIndex[model]?.[row] ?? Number.NaN);
const cascadePoints = cascadeCurve(cascade, testRows, (row, model) => testPredictions[row]?.[model]?.quality ?? 0, strong, grid);
const cascadeSummary = summarise(cascadePoints, baselines);
log(`router q@20%=${routerSummary.quality_at_20pct_cost} aiq=${routerSummary.aiq.toFixed(4)}; cascade q@20%=${cascadeSummary.quality_at_20pct_cost} aiq=${cascadeSummary.aiq.toFixed(4)}`);

const latency = measureLatency(router, testRows);
const headline = (summary: typeof routerSummary): number => summary.quality_at_20pct_cost ?? Number.NEGATIVE_INFINITY;
const bestAt20 = headline(cascadeSummary) > headline(routerSummary) ? 'cascade' : 'router';
const bestAiq = cascadeSummary.aiq > routerSummary.aiq ? 'cascade' : 'router';
const at20 = (points: PolicyPoint[]): PolicyPoint | undefined =>
  points.filter((point) => point.totalCost <= 0.2 * baselines.best.totalCost).sort((left, right) => right.meanQuality - left.meanQuality)[0];
const cascadeAt20 = at20(cascadePoints) as (typeof cascadePoints)[number] | undefined;
const curve = (points: PolicyPoint[]) => paretoPoints(points).map((point) => ({
  cost_weight: round(point.costWeight),
  mean_quality: round(point.meanQuality),
  total_cost: round(point.totalCost),
  strong_call_share: round(point.strongCalls / testRows.length),
}));
const totals = (entry: { meanQuality: number; totalCost: number }) => ({ mean_quality: round(entry.meanQuality), total_cost: round(entry.totalCost) });

const result = {
  bench: 'routing',
  data: basename(args.data),
  train: args.split === undefined ? basename(args.train as string) : `${basename(args.data)} minus test share ${args.split} (hash of id)`,
  rows: { train: trainRows.length, test: testRows.length },
  models,
  skipped_models: skipped,
  notes,
  learner: { selected: report.selected, cross_validation: report.crossValidation.map((entry) => ({ ...entry.settings, log_loss: round(entry.logLoss) })) },
  train_seconds: round(trainSeconds),
  single_models: Object.fromEntries(models.map((model) => [model, totals(baselines.single[model] as { meanQuality: number; totalCost: number })])),
  best_single: { model: strong, ...totals(baselines.best) },
  cheapest_single: { model: baselines.cheapest.model, ...totals(baselines.cheapest) },
  oracle: { ...totals(baselines.oracle), quality_vs_best: round(baselines.oracle.meanQuality / baselines.best.meanQuality), cost_vs_best: round(baselines.oracle.totalCost / baselines.best.totalCost) },
  zero_router_aiq: round(baselines.zeroRouterAiq),
  router: { ...roundAll(routerSummary), knobs: knobPoints(testRows, testPredictions, baselines), curve: curve(routerPoints) },
  cascade: { ...roundAll(cascadeSummary), chains_at_20pct_cost: cascadeAt20 ? largestGroups(cascadeAt20.chains) : null, curve: curve(cascadePoints) },
  best_of_policies: { quality_at_20pct_cost: bestAt20, aiq: bestAiq },
  quality_at_20pct_cost: round(Math.max(headline(routerSummary), headline(cascadeSummary))),
  aiq: round(Math.max(routerSummary.aiq, cascadeSummary.aiq)),
  routing_decision_ms: latency,
};
process.stdout.write(`${JSON.stringify(result)}\n`);

// Many small task groups (e.g. 57 MMLU subjects) would swamp the line: show the largest few.
function largestGroups(chains: Record<string, string>, limit = 8): Record<string, string> {
  const groups = Object.keys(chains).sort((left, right) => (cascade.sizes.get(right) ?? 0) - (cascade.sizes.get(left) ?? 0));
  const shown = Object.fromEntries(groups.slice(0, limit).map((group) => [`${group} (${cascade.sizes.get(group) ?? 0} train rows)`, chains[group] as string]));
  return groups.length > limit ? { ...shown, more: `${groups.length - limit} smaller groups not shown` } : shown;
}

function roundAll<T extends object>(summary: T): T {
  return Object.fromEntries(Object.entries(summary).map(([key, value]) => [key, typeof value === 'number' ? round(value) : value])) as T;
}
