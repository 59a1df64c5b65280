import { ModelConfig, type ModelConfigInput } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/**
 * Validates a registry entry (filling zod defaults) and checks it is a local GGUF model.
 *
 * @throws TroupeError CONFIG_INVALID with zod's readable message.
 */
export function parseLlamaModelConfig(config: ModelConfig | ModelConfigInput): ModelConfig {
  const parsed = ModelConfig.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `invalid model config: ${issues}`, { cause: parsed.error });
  }
  if (parsed.data.provider !== 'llama-cpp') {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${parsed.data.id}" has provider "${parsed.data.provider}", not "llama-cpp"`);
  }
  return parsed.data;
}
