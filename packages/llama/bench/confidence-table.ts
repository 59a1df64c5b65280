/**
 * Does token confidence separate right answers from wrong ones on SmolLM2-135M-Instruct?
 *
 *   TROUPE_MODELS_DIR=../shared/models node --conditions=@troupe/source --import tsx packages/llama/bench/confidence-table.ts
 *
 * Runs the extraction and question cases of the models MANIFEST plus more of our own, greedy, each
 * through the Troupe LanguageModel (the worker's path: grammar for extraction, capped free text for
 * questions), marks each answer right or wrong against its expected value, and prints a Markdown
 * table, then one JSON line with the separation (AUROC of mean and of min confidence; 0.5 = none).
 */
import { createLlamaLanguageModel, getSharedLlamaRuntime } from '../src/index.js';

const modelsDirectory = process.env.TROUPE_MODELS_DIR;
if (!modelsDirectory) throw new Error('set TROUPE_MODELS_DIR');
const threads = Number(process.env.CONFIDENCE_THREADS ?? 1);

interface Case {
  kind: 'extract' | 'question';
  input: string;
  /** extract: name and city; question: a word the right answer contains (lower case). */
  expected: { name: string; city: string } | string;
}

const cases: Case[] = [
  // Extraction: the MANIFEST's five support messages (first three right, last two wrong there), then ours.
  { kind: 'extract', input: 'Ada lives in Paris and wants a refund for a broken kettle.', expected: { name: 'Ada', city: 'Paris' } },
  { kind: 'extract', input: 'Bruno from Lisbon says his order never arrived.', expected: { name: 'Bruno', city: 'Lisbon' } },
  { kind: 'extract', input: 'Chen Wei, who lives in Toronto, asks how to reset his password.', expected: { name: 'Chen Wei', city: 'Toronto' } },
  { kind: 'extract', input: 'Dana (Berlin) reports that the app crashes on start.', expected: { name: 'Dana', city: 'Berlin' } },
  { kind: 'extract', input: 'Emeka writing from Lagos: the invoice shows the wrong amount.', expected: { name: 'Emeka', city: 'Lagos' } },
  { kind: 'extract', input: 'Fatima lives in Cairo and cannot log in.', expected: { name: 'Fatima', city: 'Cairo' } },
  { kind: 'extract', input: 'Greta from Oslo wants to change her delivery address.', expected: { name: 'Greta', city: 'Oslo' } },
  { kind: 'extract', input: 'Hiro lives in Osaka and was charged twice.', expected: { name: 'Hiro', city: 'Osaka' } },
  { kind: 'extract', input: 'My name is Ines and I am in Madrid; the parcel is damaged.', expected: { name: 'Ines', city: 'Madrid' } },
  { kind: 'extract', input: 'Order 5531 for Jonas, Hamburg, has not shipped.', expected: { name: 'Jonas', city: 'Hamburg' } },
  { kind: 'extract', input: 'Kemal (based in Ankara) asks for an invoice copy.', expected: { name: 'Kemal', city: 'Ankara' } },
  { kind: 'extract', input: 'Hi, Lucia here from Rome. The blender stopped working.', expected: { name: 'Lucia', city: 'Rome' } },
  { kind: 'extract', input: 'Writing on behalf of Mateo in Bogota about a late refund.', expected: { name: 'Mateo', city: 'Bogota' } },
  { kind: 'extract', input: 'Nadia lives in Warsaw and wants to cancel her subscription.', expected: { name: 'Nadia', city: 'Warsaw' } },
  // Questions: the MANIFEST's three (two right, one wrong there), then ours.
  { kind: 'question', input: 'What is the capital of France?', expected: 'paris' },
  { kind: 'question', input: 'What is 12 + 7?', expected: '19' },
  { kind: 'question', input: "Translate 'good morning' into French.", expected: 'bonjour' },
  { kind: 'question', input: 'What is the capital of Japan?', expected: 'tokyo' },
  { kind: 'question', input: 'What is the capital of Italy?', expected: 'rome' },
  { kind: 'question', input: 'What is the capital of Australia?', expected: 'canberra' },
  { kind: 'question', input: 'What is the capital of Canada?', expected: 'ottawa' },
  { kind: 'question', input: 'How many days are in a week?', expected: 'seven' },
  { kind: 'question', input: 'What is 9 times 8?', expected: '72' },
  { kind: 'question', input: 'What is the largest planet in the solar system?', expected: 'jupiter' },
  { kind: 'question', input: 'Who wrote Romeo and Juliet?', expected: 'shakespeare' },
  { kind: 'question', input: 'What is the chemical symbol for gold?', expected: 'au' },
  { kind: 'question', input: 'What is the boiling point of water in Celsius?', expected: '100' },
  { kind: 'question', input: 'What is 15 minus 6?', expected: '9' },
];

const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 40 }, city: { type: 'string', maxLength: 40 } }, required: ['name', 'city'], additionalProperties: false };
const model = createLlamaLanguageModel(
  { id: 'smollm2', provider: 'llama-cpp', path: 'SmolLM2-135M-Instruct-Q4_1.gguf', contextSize: 1024, sequences: 1, threads, timeoutMs: 300_000 },
  { modelsDirectory },
);

const rows: Array<{ kind: string; input: string; answer: string; right: boolean; mean: number; min: number }> = [];
try {
  for (const item of cases) {
    const extraction = item.kind === 'extract';
    const result = await model.doGenerate({
      messages: [
        { role: 'system', content: extraction ? 'Extract the name of the person and the city they are in. Answer with JSON only.' : 'Answer the question in one short sentence.' },
        { role: 'user', content: item.input },
      ],
      ...(extraction ? { responseSchema: schema } : {}),
      maxOutputTokens: extraction ? 64 : 32,
    });
    let right: boolean;
    if (typeof item.expected === 'string') {
      const words = result.text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
      right = words.includes(item.expected) || (item.expected === 'seven' && words.includes('7'));
    } else {
      const parsed = JSON.parse(result.text) as { name: string; city: string };
      right = parsed.name.trim() === item.expected.name && parsed.city.trim() === item.expected.city;
    }
    rows.push({ kind: item.kind, input: item.input, answer: result.text.replace(/\s+/g, ' ').trim(), right, mean: result.metrics.confidenceMean ?? NaN, min: result.metrics.confidenceMin ?? NaN });
  }
} finally {
  await model.dispose();
  await getSharedLlamaRuntime().dispose();
}

/** Probability that a right answer scores above a wrong one (ties count half): 1 = perfect separation, 0.5 = none. */
function auroc(right: number[], wrong: number[]): number | null {
  if (right.length === 0 || wrong.length === 0) return null;
  let wins = 0;
  for (const r of right) for (const w of wrong) wins += r > w ? 1 : r === w ? 0.5 : 0;
  return Math.round((wins / (right.length * wrong.length)) * 1000) / 1000;
}
const f = (value: number) => value.toFixed(3);
process.stdout.write('| kind | input | answer | right | conf. mean | conf. min |\n| --- | --- | --- | --- | --- | --- |\n');
for (const row of rows) process.stdout.write(`| ${row.kind} | ${row.input} | \`${row.answer.slice(0, 70).replaceAll('|', '/')}\` | ${row.right ? 'yes' : 'no'} | ${f(row.mean)} | ${f(row.min)} |\n`);
const summary: Record<string, unknown> = { bench: 'confidence', model: 'SmolLM2-135M-Instruct-Q4_1', cases: rows.length };
for (const kind of ['extract', 'question', 'all']) {
  const selected = rows.filter((row) => kind === 'all' || row.kind === kind);
  const right = selected.filter((row) => row.right);
  const wrong = selected.filter((row) => !row.right);
  const avg = (values: number[]) => (values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1000) / 1000 : null);
  summary[kind] = {
    right: right.length,
    wrong: wrong.length,
    mean_conf_right: avg(right.map((row) => row.mean)),
    mean_conf_wrong: avg(wrong.map((row) => row.mean)),
    min_conf_right: avg(right.map((row) => row.min)),
    min_conf_wrong: avg(wrong.map((row) => row.min)),
    auroc_mean: auroc(right.map((row) => row.mean), wrong.map((row) => row.mean)),
    auroc_min: auroc(right.map((row) => row.min), wrong.map((row) => row.min)),
  };
}
process.stdout.write(`${JSON.stringify(summary)}\n`);
