import type { ChatMessage } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { ChatHistoryItem, ChatWrapper, LlamaModel } from 'node-llama-cpp';

export interface PreparePromptInput {
  modelId: string;
  model: LlamaModel;
  chatWrapper: ChatWrapper;
  messages: readonly ChatMessage[];
  /** Tokens one sequence can hold. */
  contextSize: number;
  maxOutputTokens?: number;
}

export interface PreparedPrompt {
  history: ChatHistoryItem[];
  /** Exact prompt length: the chat template rendered and tokenized by the model's own tokenizer. */
  inputTokens: number;
  /** Generation limit: the caller's `maxOutputTokens`, lowered to what still fits in the context. */
  maxTokens: number;
}

/**
 * Renders messages with the model's chat template and measures them, so a prompt that cannot fit
 * fails before it takes a sequence. LlamaChat would otherwise silently drop early messages to make
 * room (its context shift), and a worker must never answer a different question than it was asked.
 *
 * @throws TroupeError BAD_REQUEST for an empty conversation or a bad limit; CONTEXT_OVERFLOW when
 *   the rendered prompt leaves no room to generate.
 */
export function preparePrompt(input: PreparePromptInput): PreparedPrompt {
  if (input.messages.length === 0) throw new TroupeError(ErrorCode.BAD_REQUEST, 'a model call needs at least one message');
  const requested = input.maxOutputTokens;
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
    throw new TroupeError(ErrorCode.BAD_REQUEST, `maxOutputTokens must be a positive integer, got ${requested}`);
  }
  const history = toChatHistory(input.messages);
  const { contextText } = input.chatWrapper.generateContextState({ chatHistory: history });
  const inputTokens = contextText.tokenize(input.model.tokenizer).length;
  // LlamaChat keeps one context cell free and needs one to generate into (see its getContextWindow).
  const room = input.contextSize - inputTokens - 1;
  if (room < 1) {
    throw new TroupeError(
      ErrorCode.CONTEXT_OVERFLOW,
      `prompt is ${inputTokens} tokens but model "${input.modelId}" has a context of ${input.contextSize} tokens`,
      { details: { inputTokens, contextSize: input.contextSize } },
    );
  }
  return { history, inputTokens, maxTokens: Math.min(requested ?? room, room) };
}

/**
 * Maps Troupe messages onto node-llama-cpp's chat history. A trailing assistant message is kept as
 * the start of the answer (prefill); otherwise an empty model turn is opened for the reply.
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message) => {
    switch (message.role) {
      case 'system':
        return { type: 'system', text: message.content };
      case 'user':
        return { type: 'user', text: message.content };
      case 'assistant':
        return { type: 'model', response: [message.content] };
    }
  });
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}
