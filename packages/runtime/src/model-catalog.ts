import { ModelConfig, RegistryConfig, createEchoModel, createTemplateModel, type LanguageModel, type ModelConfigInput, type RegistryConfigInput } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { createFallbackModel } from '@troupe/resilience';
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
  // A model with `fallbacks` answers through a chain: itself, then each fallback in order, on
  // retryable failures, open breakers, or (to longer-context models) CONTEXT_OVERFLOW.
  const withFallbacks = async (config: ModelConfig, model: LanguageModel): Promise<LanguageModel> => {
    if (config.fallbacks.length === 0) return model;
    const chain = [{ model, contextSize: config.contextSize }];
    for (const id of config.fallbacks) {
      const fallback = byId.get(id);
      if (!fallback) throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${config.id}" falls back to unknown model "${id}"`);
      const factory = allFactories[fallback.provider];
      if (!factory) throw new TroupeError(ErrorCode.CONFIG_INVALID, `no provider "${fallback.provider}" is installed for fallback "${id}"`);
      chain.push({ model: servedAs(fallback.id, await factory(fallback)), contextSize: fallback.contextSize });
    }
    chain[0] = { model: servedAs(config.id, model), contextSize: config.contextSize };
    return createFallbackModel(chain);
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
        instance = Promise.resolve(factory(config)).then((model) => withFallbacks(config, model));
        instances.set(id, instance);
        instance.catch(() => instances.delete(id));
      }
      // Cost is priced by the model that really answered, which a fallback chain may change.
      return { model: await instance, pricing: config.pricing, pricingOf: (served: string) => byId.get(served)?.pricing };
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

/** Marks results with the registry id of the model that produced them. */
function servedAs(id: string, model: LanguageModel): LanguageModel {
  return {
    ...model,
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    doGenerate: async (call) => ({ ...(await model.doGenerate(call)), servedBy: id }),
    async *doStream(call) {
      for await (const part of model.doStream(call)) yield part.type === 'finish' ? { ...part, servedBy: id } : part;
    },
  };
}
