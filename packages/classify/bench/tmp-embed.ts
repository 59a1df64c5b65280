import { readFileSync, writeFileSync } from 'node:fs';
import { createLlamaEmbeddingModel } from '@troupe/llama';
const rows = readFileSync(process.argv[2]!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const out = process.argv[3]!;
const embedder = await createLlamaEmbeddingModel({ id: 'minilm', provider: 'llama-cpp', path: 'all-MiniLM-L6-v2-F16.gguf', contextSize: 512, timeoutMs: 600000, threads: Number(process.env.THREADS ?? 1) }, { modelsDirectory: process.env.TROUPE_MODELS_DIR! });
const start = performance.now();
const dims = embedder.dimensions;
const buf = new Float32Array(rows.length * dims);
for (let i = 0; i < rows.length; i += 16) {
  const { embeddings } = await embedder.doEmbed(rows.slice(i, i + 16).map((r) => r.text));
  embeddings.forEach((e, j) => buf.set(e, (i + j) * dims));
  if (i % 512 === 0) console.log(i, ((performance.now() - start) / 1000).toFixed(1));
}
console.log('embedded', rows.length, 'in', ((performance.now() - start) / 1000).toFixed(1), 's');
writeFileSync(out, Buffer.from(buf.buffer));
await embedder.dispose();
