import { describe, expect, it } from 'vitest';
import { TroupeError } from '@troupe/protocol';
import { createClassifier, OUT_OF_SCOPE_LABEL } from './classifier.js';
import { parseClassifierArtifact } from './classifier-artifact.js';
import { chooseThreshold } from './confidence-threshold.js';
import { seededRandom } from './seeded-random.js';
import { trainFromEmbeddings } from './train-classifier.js';
import { parseTrainingRows } from './training-rows.js';

const DIMENSIONS = 16;

/** Gaussian-ish clusters around one axis per label, with `overlap` noise, so accuracy is below 1. */
function clusters(labels: string[], perLabel: number, overlap: number, seed: number) {
  const random = seededRandom(seed);
  const vectors: number[][] = [];
  const names: string[] = [];
  labels.forEach((label, index) => {
    for (let row = 0; row < perLabel; row += 1) {
      const vector = Array.from({ length: DIMENSIONS }, () => (random() - 0.5) * overlap);
      vector[index] = (vector[index] ?? 0) + 1;
      vectors.push(vector);
      names.push(label);
    }
  });
  return { vectors, labels: names };
}

const options = { name: 'synthetic', dimensions: DIMENSIONS, embeddingModel: 'test-embedder', epochs: 15, cValues: [1, 10] };

describe('trainFromEmbeddings', () => {
  it('trains a softmax head that separates the classes and chooses a threshold for the target precision', () => {
    const data = clusters(['billing', 'delivery', 'login', 'refund'], 60, 1.1, 1);
    const artifact = trainFromEmbeddings(data, options);
    expect(artifact.kind).toBe('softmax');
    expect(artifact.training.crossValidation.candidates.map((candidate) => candidate.c)).toEqual([1, 10]);
    expect(artifact.training.crossValidation.accuracyOnCovered).toBeGreaterThanOrEqual(0.97);
    expect(artifact.threshold).toBeGreaterThan(0.25);
    const classifier = createClassifier(parseClassifierArtifact(JSON.parse(JSON.stringify(artifact))));
    const held = clusters(['billing', 'delivery', 'login', 'refund'], 25, 1.1, 99);
    const right = held.vectors.filter((vector, index) => classifier.predict(vector).topK[0]!.label === held.labels[index]).length;
    expect(right / held.vectors.length).toBeGreaterThan(0.8);
    const covered = held.vectors.map((vector, index) => ({ prediction: classifier.predict(vector), label: held.labels[index] })).filter((entry) => entry.prediction.covered);
    expect(covered.length).toBeGreaterThan(0);
    expect(covered.filter((entry) => entry.prediction.label === entry.label).length / covered.length).toBeGreaterThan(0.9);
  });

  it('is deterministic for a fixed seed and changes with the seed', () => {
    const data = clusters(['a', 'b', 'c'], 30, 1.2, 3);
    const first = trainFromEmbeddings(data, { ...options, seed: 5 });
    const second = trainFromEmbeddings(data, { ...options, seed: 5 });
    const other = trainFromEmbeddings(data, { ...options, seed: 6 });
    expect(second.version).toBe(first.version);
    expect(second.weights).toBe(first.weights);
    expect(other.version).not.toBe(first.version);
  });

  it('uses nearest neighbours when there are only a few examples per label', () => {
    const data = clusters(['a', 'b', 'c'], 3, 0.3, 4);
    const artifact = trainFromEmbeddings(data, options);
    expect(artifact.kind).toBe('nearest-neighbour');
    const classifier = createClassifier(artifact);
    const probe = Array.from({ length: DIMENSIONS }, (_, index) => (index === 1 ? 1 : 0.02));
    expect(classifier.predict(probe).label).toBe('b');
  });

  it('labels an input unlike every class "other" and never covers it', () => {
    const data = clusters(['a', 'b', 'c'], 40, 0.4, 5);
    const classifier = createClassifier(trainFromEmbeddings(data, options));
    const unrelated = Array.from({ length: DIMENSIONS }, (_, index) => (index === DIMENSIONS - 1 ? 1 : 0));
    const prediction = classifier.predict(unrelated);
    expect(prediction.outOfScope).toBe(true);
    expect(prediction.label).toBe(OUT_OF_SCOPE_LABEL);
    expect(prediction.covered).toBe(false);
  });

  it('refuses an embedding of another dimension with CONFIG_INVALID', () => {
    const classifier = createClassifier(trainFromEmbeddings(clusters(['a', 'b'], 20, 0.5, 6), options));
    expect(() => classifier.predict([1, 2, 3])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('parseTrainingRows', () => {
  it.each([
    ['', 'no training rows'],
    ['{"text":"hi","label":"a"}\n{"text":"yo","label":"a"}', 'only one label'],
    ['{"text":"","label":"a"}\n{"text":"yo","label":"b"}', 'empty text'],
    ['{"text":"hi","label":" "}\n{"text":"yo","label":"b"}', 'empty label'],
    ['{"text":"hi"', 'not JSON'],
  ])('rejects %j with BAD_REQUEST (%s)', (jsonl, message) => {
    let error: unknown;
    try {
      parseTrainingRows(jsonl, 'rows.jsonl');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TroupeError);
    expect((error as TroupeError).code).toBe('BAD_REQUEST');
    expect((error as TroupeError).message).toContain(message);
  });
});

describe('chooseThreshold', () => {
  it('answers as many rows as it can while the answered ones stay at the target precision', () => {
    const predictions = [
      { confidence: 0.99, correct: true },
      { confidence: 0.95, correct: true },
      { confidence: 0.9, correct: true },
      { confidence: 0.8, correct: false },
      { confidence: 0.7, correct: true },
      { confidence: 0.4, correct: false },
    ];
    expect(chooseThreshold(predictions, 0.97)).toEqual({ threshold: 0.9, coverage: 0.5, accuracyOnCovered: 1 });
    expect(chooseThreshold(predictions, 0.8).threshold).toBe(0.7);
  });
});
