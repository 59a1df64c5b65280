import { ModelConfig, RegistryConfig, createEchoModel, createTemplateModel, type LanguageModel, type ModelConfigInput, type RegistryConfigInput } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { ResolvedModel } from '@troupe/worker';

/** Builds a LanguageModel for a registry entry; services map each provider name to one. */
export type ModelFactory = (config: ModelConfig) => LanguageModel | Promise<LanguageModel>;

export interface ModelCatalog {
  readonly configs: readonly ModelConfig[];
  /** The model with this id, created on first use and shared afterwards. */
  get(id: string): Promise<ResolvedModel>;
  /** The cheapest model registered for a skill (or for any skill). */
  defaultFor(skill: string): ModelConfig | undefined;
  dispose(): Promise<void>;
}

/**
 * The registry of models a process may use. Models are created lazily and once, so a GGUF file
 * is loaded once per process however many workers share it.
 */
export function createModelCatalog(registry: RegistryConfigInput, factories: Partial<Record<ModelConfig['provider'], ModelFactory>>): ModelCatalog {
  const parsed = RegistryConfig.parse(registry);
  const configs = parsed.models;
  const byId = new Map(configs.map((config) => [config.id, config]));
  const instances = new Map<string, Promise<LanguageModel>>();
  const allFactories: Partial<Record<ModelConfig['provider'], ModelFactory>> = {
    echo: (config) => createEchoModel({ modelId: config.id }),
    template: (config) => createTemplateModel({ modelId: config.id, templates: config.templates ?? {} }),
    ...factories,
  };
  const price = (config: ModelConfig) => config.pricing.inputPerMTok + config.pricing.outputPerMTok;
  return {
    configs,
    async get(id) {
      const config = byId.get(id);
      if (!config) {
        throw new TroupeError(ErrorCode.MODEL_NOT_FOUND, `model "${id}" is not in the registry (known: ${[...byId.keys()].join(', ') || 'none'})`);
      }
      let instance = instances.get(id);
      if (!instance) {
        const factory = allFactories[config.provider];
        if (!factory) throw new TroupeError(ErrorCode.CONFIG_INVALID, `no provider "${config.provider}" is installed in this process for model "${id}"`);
        instance = Promise.resolve(factory(config));
        instances.set(id, instance);
        instance.catch(() => instances.delete(id));
      }
      return { model: await instance, pricing: config.pricing };
    },
    defaultFor(skill) {
      const candidates = configs.filter(
        (config) => config.capabilities.includes('chat') && (config.skills.length === 0 || config.skills.includes(skill)),
      );
      return candidates.sort((left, right) => price(left) - price(right))[0];
    },
    async dispose() {
      const models = await Promise.allSettled(instances.values());
      instances.clear();
      for (const settled of models) {
        const model = settled.status === 'fulfilled' ? (settled.value as Partial<AsyncDisposable>) : undefined;
        await model?.[Symbol.asyncDispose]?.();
      }
    },
  };
}

export { ModelConfig, type ModelConfigInput };
