import { ModelConfig, RegistryConfig, createEchoModel, createTemplateModel, type LanguageModel, type ModelConfigInput, type RegistryConfigInput } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { highestPricing } from '@troupe/budget';
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
  const allFactories: Partial<Record<ModelConfig['provider'], ModelFactory>> = {
    echo: (config) => createEchoModel({ modelId: config.id }),
    template: (config) => createTemplateModel({ modelId: config.id, templates: config.templates ?? {} }),
    ...factories,
  };
  const configOf = (id: string, wantedBy?: string): ModelConfig => {
    const config = byId.get(id);
    if (config) return config;
    if (wantedBy) throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${wantedBy}" falls back to unknown model "${id}"`);
    throw new TroupeError(ErrorCode.MODEL_NOT_FOUND, `model "${id}" is not in the registry (known: ${[...byId.keys()].join(', ') || 'none'})`);
  };
  // One instance per registry id, shared by every request and by every chain that falls back to it
  // (a GGUF is loaded once; a provider's client and breaker state are shared).
  const instances = new Map<string, Promise<LanguageModel>>();
  const instanceOf = (config: ModelConfig): Promise<LanguageModel> => {
    let instance = instances.get(config.id);
    if (!instance) {
      const factory = allFactories[config.provider];
      if (!factory) throw new TroupeError(ErrorCode.CONFIG_INVALID, `no provider "${config.provider}" is installed in this process for model "${config.id}"`);
      instance = Promise.resolve(factory(config));
      instances.set(config.id, instance);
      instance.catch(() => instances.delete(config.id));
    }
    return instance;
  };
  // A model with `fallbacks` answers through a chain: itself, then each fallback in order, on
  // retryable failures, open breakers, or (to longer-context models) CONTEXT_OVERFLOW.
  const chains = new Map<string, Promise<LanguageModel>>();
  const chainOf = (config: ModelConfig): Promise<LanguageModel> => {
    let chain = chains.get(config.id);
    if (!chain) {
      chain = Promise.all([config, ...config.fallbacks.map((id) => configOf(id, config.id))].map(async (member) => ({
        model: servedAs(member.id, await instanceOf(member)),
        contextSize: member.contextSize,
      }))).then((members) => createFallbackModel(members));
      chains.set(config.id, chain);
      chain.catch(() => chains.delete(config.id));
    }
    return chain;
  };
  const price = (config: ModelConfig) => config.pricing.inputPerMTok + config.pricing.outputPerMTok;
  return {
    configs,
    async get(id) {
      const config = configOf(id);
      const model = await (config.fallbacks.length > 0 ? chainOf(config) : instanceOf(config));
      // Cost is priced by the model that really answered, which a fallback chain may change; a budget
      // reserves at the dearest member's price, since the chain may fall back after the reservation.
      const members = [config, ...config.fallbacks.map((fallback) => configOf(fallback, config.id))];
      return { model, pricing: config.pricing, pricingOf: (served: string) => byId.get(served)?.pricing, reservePricing: highestPricing(members.map((member) => member.pricing)) };
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
      chains.clear();
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
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    doGenerate: async (call) => ({ ...(await model.doGenerate(call)), servedBy: id }),
    async *doStream(call) {
      for await (const part of model.doStream(call)) yield part.type === 'finish' ? { ...part, servedBy: id } : part;
    },
  };
}
