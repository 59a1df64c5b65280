import { combineHashes, fnvStep, hashString } from './hashing.js';
import { estimateTokens, tokenBucket } from './token-estimate.js';

/** How prompt text becomes a sparse vector. Part of a trained router: changing it invalidates weights. */
export interface FeatureOptions {
  /** log2 of the hashed dimension (16..20); 18 keeps collisions rare for prompts of a few KB. */
  hashBits: number;
  /** Word n-grams up to this length (1 = unigrams, 2 = unigrams and bigrams). */
  wordNgrams: 1 | 2;
  /** Character n-gram lengths; empty disables them. */
  charNgrams: readonly number[];
  /** Character n-grams read only the last this-many characters: few-shot prompts share a long prefix and the question sits at the end. */
  charWindow: number;
}

/** Word uni+bigrams and char 3/4-grams of the prompt's tail, hashed into 2^18 dimensions. */
export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { hashBits: 18, wordNgrams: 2, charNgrams: [3, 4], charWindow: 600 };

/** Optional tags of a prompt; the task tag is the strongest single routing feature when present. */
export interface PromptTags {
  task?: string | undefined;
  source?: string | undefined;
}

/** A sparse vector; indices may repeat (hash collisions across blocks), which dot products tolerate. */
export interface FeatureVector {
  indices: Int32Array;
  values: Float32Array;
}

/** Turns a prompt (plus tags and an optional dense embedding) into a FeatureVector. */
export interface FeatureExtractor {
  readonly options: FeatureOptions;
  /** Hashed dimensions; dense embedding dimensions follow them. */
  readonly hashedDimension: number;
  readonly embeddingDimension: number;
  /** hashedDimension + embeddingDimension: the length of a weight vector. */
  readonly dimension: number;
  extract(prompt: string, tags?: PromptTags, embedding?: ArrayLike<number>): FeatureVector;
}

const WORD_SEED = hashString('word:');
const CHAR_SEED = hashString('char:');

function isWordCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || code === 95 || code > 127;
}

/**
 * Creates an extractor with its own scratch buffers (so extraction allocates little and is
 * not re-entrant across threads, which JavaScript never needs).
 *
 * @example
 * const extractor = createFeatureExtractor({ hashBits: 16 });
 * const vector = extractor.extract('Write a function to add two numbers', { task: 'mbpp' });
 */
export function createFeatureExtractor(options: Partial<FeatureOptions> = {}, embeddingDimension = 0): FeatureExtractor {
  const resolved: FeatureOptions = { ...DEFAULT_FEATURE_OPTIONS, ...options };
  if (resolved.hashBits < 8 || resolved.hashBits > 24) throw new RangeError(`hashBits must be in 8..24, got ${resolved.hashBits}`);
  const hashedDimension = 1 << resolved.hashBits;
  const mask = hashedDimension - 1;
  const scratch = new Float64Array(hashedDimension);
  let touched = new Int32Array(1024);
  let touchedCount = 0;
  const outIndices: number[] = [];
  const outValues: number[] = [];

  const add = (hash: number, value: number): void => {
    const index = hash & mask;
    // The top bit picks a sign so that colliding features cancel on average instead of piling up.
    const signed = hash >>> 31 ? -value : value;
    if (scratch[index] === 0) {
      if (touchedCount === touched.length) {
        const grown = new Int32Array(touched.length * 2);
        grown.set(touched);
        touched = grown;
      }
      touched[touchedCount] = index;
      touchedCount += 1;
    }
    scratch[index] = (scratch[index] ?? 0) + signed;
  };

  // Emits the pending block scaled to unit L2 norm, so long prompts do not dominate short ones.
  const flushNormalised = (): void => {
    let squared = 0;
    for (let position = 0; position < touchedCount; position += 1) {
      const value = scratch[touched[position] ?? 0] ?? 0;
      squared += value * value;
    }
    const scale = squared > 0 ? 1 / Math.sqrt(squared) : 0;
    for (let position = 0; position < touchedCount; position += 1) {
      const index = touched[position] ?? 0;
      const value = scratch[index] ?? 0;
      if (value !== 0) {
        outIndices.push(index);
        outValues.push(value * scale);
      }
      scratch[index] = 0;
    }
    touchedCount = 0;
  };

  const addNamed = (name: string, value: number): void => {
    const hash = hashString(name);
    outIndices.push(hash & mask);
    outValues.push(hash >>> 31 ? -value : value);
  };

  const wordBlock = (prompt: string): { words: number } => {
    let words = 0;
    let current = WORD_SEED;
    let inWord = false;
    let previous = -1;
    const endWord = (): void => {
      add(current, 1);
      if (resolved.wordNgrams >= 2 && previous !== -1) add(combineHashes(previous, current), 1);
      previous = current;
      words += 1;
      current = WORD_SEED;
      inWord = false;
    };
    for (let index = 0; index < prompt.length; index += 1) {
      let code = prompt.charCodeAt(index);
      if (isWordCode(code)) {
        if (code >= 65 && code <= 90) code |= 0x20;
        current = fnvStep(current, code);
        inWord = true;
      } else if (inWord) endWord();
    }
    if (inWord) endWord();
    flushNormalised();
    return { words };
  };

  const charBlock = (prompt: string): void => {
    if (resolved.charNgrams.length === 0) return;
    const start = Math.max(0, prompt.length - resolved.charWindow);
    const codes: number[] = [];
    let lastSpace = true;
    for (let index = start; index < prompt.length; index += 1) {
      let code = prompt.charCodeAt(index);
      const space = code === 32 || code === 9 || code === 10 || code === 13;
      if (space) {
        if (!lastSpace) codes.push(32);
        lastSpace = true;
        continue;
      }
      if (code >= 65 && code <= 90) code |= 0x20;
      codes.push(code);
      lastSpace = false;
    }
    for (const length of resolved.charNgrams) {
      const seed = fnvStep(CHAR_SEED, length);
      for (let begin = 0; begin + length <= codes.length; begin += 1) {
        let hash = seed;
        for (let offset = 0; offset < length; offset += 1) hash = fnvStep(hash, codes[begin + offset] ?? 0);
        add(hash, 1);
      }
    }
    flushNormalised();
  };

  return {
    options: resolved,
    hashedDimension,
    embeddingDimension,
    dimension: hashedDimension + embeddingDimension,
    extract(prompt, tags = {}, embedding) {
      outIndices.length = 0;
      outValues.length = 0;
      const { words } = wordBlock(prompt);
      charBlock(prompt);
      const tokens = estimateTokens(prompt);
      const bucket = tokenBucket(tokens);
      let lines = 1;
      let digits = 0;
      for (let index = 0; index < prompt.length; index += 1) {
        const code = prompt.charCodeAt(index);
        if (code === 10) lines += 1;
        else if (code >= 48 && code <= 57) digits += 1;
      }
      // Scaled to roughly [0, 1] so one learning rate suits every feature.
      addNamed('meta:chars', Math.log1p(prompt.length) / 10);
      addNamed('meta:words', Math.log1p(words) / 8);
      addNamed('meta:lines', Math.log1p(lines) / 6);
      addNamed('meta:digits', prompt.length > 0 ? digits / prompt.length : 0);
      if (prompt.includes('```')) addNamed('meta:code-fence', 1);
      addNamed(`meta:bucket:${bucket}`, 1);
      if (tags.task) {
        addNamed(`task:${tags.task}`, 1);
        addNamed(`task-bucket:${tags.task}:${bucket}`, 1);
      }
      if (tags.source) addNamed(`source:${tags.source}`, 1);
      if (embedding && embeddingDimension > 0) appendEmbedding(embedding, embeddingDimension, hashedDimension, outIndices, outValues);
      return { indices: Int32Array.from(outIndices), values: Float32Array.from(outValues) };
    },
  };
}

function appendEmbedding(embedding: ArrayLike<number>, dimension: number, offset: number, indices: number[], values: number[]): void {
  if (embedding.length !== dimension) {
    throw new RangeError(`embedding has ${embedding.length} dimensions, the router was built for ${dimension}`);
  }
  let squared = 0;
  for (let index = 0; index < dimension; index += 1) squared += (embedding[index] ?? 0) ** 2;
  // Unit norm, like the text blocks, so the dense part neither drowns nor vanishes next to them.
  const scale = squared > 0 ? 1 / Math.sqrt(squared) : 0;
  for (let index = 0; index < dimension; index += 1) {
    indices.push(offset + index);
    values.push((embedding[index] ?? 0) * scale);
  }
}

