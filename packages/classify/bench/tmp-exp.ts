import { readFileSync } from 'node:fs';
import { trainFromEmbeddings } from '../src/train-classifier.js';
import { createClassifier } from '../src/classifier.js';
import { parseClassifierArtifact } from '../src/classifier-artifact.js';
const rows = readFileSync('../shared/data/banking77/train.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const buf = readFileSync('/tmp/b77-train.f32');
const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const dims = 384;
const vec = (i: number) => all.subarray(i * dims, (i + 1) * dims);
// my dev split: every 5th row held out
const tr = rows.map((_, i) => i).filter((i) => i % 5 !== 0), te = rows.map((_, i) => i).filter((i) => i % 5 === 0);
const t0 = performance.now();
const artifact = trainFromEmbeddings({ vectors: tr.map(vec), labels: tr.map((i) => rows[i].label) }, { name: 'b77', dimensions: dims, embeddingModel: 'minilm', cValues: (process.env.CS ?? '30').split(',').map(Number), epochs: Number(process.env.EPOCHS ?? 40), folds: Number(process.env.FOLDS ?? 3) });
console.log('train s', ((performance.now() - t0) / 1000).toFixed(1), JSON.stringify(artifact.training));
const c = createClassifier(parseClassifierArtifact(JSON.parse(JSON.stringify(artifact))));
let ok = 0, cov = 0, covOk = 0;
for (const i of te) { const p = c.predict(vec(i)); const right = p.topK[0]!.label === rows[i].label; if (right) ok++; if (p.covered) { cov++; if (right) covOk++; } }
console.log({ acc: ok / te.length, coverage: cov / te.length, accOnCovered: covOk / cov, threshold: artifact.threshold, floor: artifact.similarityFloor });
