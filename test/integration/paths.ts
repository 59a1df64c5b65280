import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The real GGUF files: $TROUPE_MODELS_DIR, else ../shared/models beside the checkout. */
export function modelsDirectory(): string {
  const directory = process.env.TROUPE_MODELS_DIR ?? "";
  if (!existsSync(directory)) throw new Error(`no models directory at ${directory}; set TROUPE_MODELS_DIR`);
  return directory;
}

/**
 * A registry with stories260K alone, so the end-to-end path runs in seconds: the shipped registry
 * also lists SmolLM2-135M, which the router prefers for its higher quality prior.
 */
export const modelsConfig = `${repoRoot}test/integration/stories.models.json`;
