import { readFileSync } from 'node:fs';
import { trainSoftmax, softmaxProbabilities } from '../src/softmax-regression.js';
import { toEmbeddingMatrix } from '../src/embedding-matrix.js';
const rows = readFileSync('../shared/data/banking77/train.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const buf = readFileSync('/tmp/b77-train.f32');
const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const dims = 384;
const vec = (i: number) => all.subarray(i * dims, (i + 1) * dims);
const labels = [...new Set(rows.map((r) => r.label))].sort();
const idx = new Map(labels.map((l, i) => [l, i]));
const tr = rows.map((_, i) => i).filter((i) => i % 5 !== 0), te = rows.map((_, i) => i).filter((i) => i % 5 === 0);
const m = toEmbeddingMatrix(tr.map(vec), dims);
const y = Uint16Array.from(tr, (i) => idx.get(rows[i].label)!);
const mt = toEmbeddingMatrix(te.map(vec), dims);
for (const [c, epochs, lr] of JSON.parse(process.env.GRID ?? '[[30,20,0.05]]')) {
  const t0 = performance.now();
  const head = trainSoftmax(m, y, labels.length, { c, epochs, learningRate: lr });
  let ok = 0, cov = 0, covOk = 0;
  te.forEach((i, r) => { const p = softmaxProbabilities(head, mt.values.subarray(r * dims, (r + 1) * dims)); let b = 0; for (let k = 1; k < p.length; k++) if (p[k]! > p[b]!) b = k; const right = b === idx.get(rows[i].label); if (right) ok++; if (p[b]! >= 0.7) { cov++; if (right) covOk++; } });
  console.log(JSON.stringify({ c, epochs, lr, s: ((performance.now() - t0) / 1000).toFixed(1), acc: (ok / te.length).toFixed(4), cov07: (cov / te.length).toFixed(3), acc07: (covOk / cov).toFixed(4) }));
}
