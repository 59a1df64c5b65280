import type { Logger } from 'pino';
import type { ModelFactory } from '@troupe/runtime';

/** Provider name → factory. `echo` and `template` are built into the catalog. */
export function modelFactories(_options: { modelsDir: string | undefined; logger: Logger }): Record<string, ModelFactory> {
  return {};
}
