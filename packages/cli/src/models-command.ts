import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RegistryConfig } from '@troupe/models';
import { MODELS_DIR_ENV, pullModel, pullPinnedModel, resolveModelPath, resolveModelsDirectory } from '@troupe/llama';

const defaultRegistry = fileURLToPath(new URL('../../../models/troupe.models.json', import.meta.url));
const recommended = fileURLToPath(new URL('../../../models/recommended.json', import.meta.url));

/** `troupe models`: the registry's models, whether each local file is present, and its price. */
export async function listModels(options: { config?: string; modelsDir?: string }, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<void> {
  const registry = RegistryConfig.parse(JSON.parse(readFileSync(options.config ?? defaultRegistry, 'utf8')));
  write('id                      provider           state            $/1M in   $/1M out  context');
  for (const model of registry.models) {
    let state = 'remote';
    if (model.provider === 'llama-cpp') {
      try {
        const path = await resolveModelPath(model, resolveModelsDirectory(options.modelsDir));
        state = existsSync(path) ? 'file present' : 'file missing';
      } catch {
        state = `set ${MODELS_DIR_ENV}`;
      }
    } else if (model.provider === 'echo' || model.provider === 'template') state = 'built in';
    else if (model.apiKeyEnv) state = process.env[model.apiKeyEnv] ? 'key set' : `needs ${model.apiKeyEnv}`;
    write(
      `${model.id.padEnd(24)}${model.provider.padEnd(19)}${state.padEnd(17)}${model.pricing.inputPerMTok.toFixed(2).padStart(8)}  ${model.pricing.outputPerMTok.toFixed(2).padStart(8)}  ${model.contextSize}`,
    );
  }
}

/**
 * `troupe models pull <id|uri>`: downloads a recommended GGUF (needs internet) with a progress bar.
 * A recommended model pinned by sha256 is saved under its `file` name, resumes a broken download
 * and is verified before it gets that name.
 */
export async function pull(idOrUri: string, options: { modelsDir?: string }): Promise<string> {
  type Recommended = { id: string; uri?: string; file?: string; sha256?: string | null; revision?: string };
  const catalog = existsSync(recommended) ? (JSON.parse(readFileSync(recommended, 'utf8')) as { models?: Recommended[] }) : {};
  const entry = catalog.models?.find((model) => model.id === idOrUri);
  const uri = entry?.uri ?? idOrUri;
  const directory = resolveModelsDirectory(options.modelsDir);
  const onProgress = (progress: { fraction: number; downloadedBytes: number }) => {
    const bar = '#'.repeat(Math.round(progress.fraction * 30)).padEnd(30, '.');
    process.stderr.write(`\r[${bar}] ${(progress.fraction * 100).toFixed(1)}%  ${(progress.downloadedBytes / 1e6).toFixed(1)} MB`);
  };
  const pulled =
    entry?.uri && entry.file && entry.sha256
      ? await pullPinnedModel({ uri: entry.uri, file: entry.file, sha256: entry.sha256, ...(entry.revision ? { revision: entry.revision } : {}) }, { directory, onProgress })
      : await pullModel(uri, { directory, onProgress });
  process.stderr.write('\n');
  return pulled.path;
}
