import type { ChatMessage } from '@troupe/models';
import type { SubtaskRequest } from '@troupe/protocol';

const SKILL_GUIDANCE: Record<string, string> = {
  extract: 'Extract the requested fields from the input. Use only facts present in the input.',
  classify: 'Classify the input into exactly one of the allowed labels.',
  summarize: 'Summarize the input faithfully and briefly. Do not add facts.',
  generate: 'Write the requested answer using the input and the outputs of earlier steps.',
};

/** Builds the chat messages for a subtask: skill guidance, instructions, schema, judge feedback, input. */
export function subtaskMessages(request: SubtaskRequest): ChatMessage[] {
  if (request.chat) return chatMessages(request);
  const system = [
    SKILL_GUIDANCE[request.skill] ?? `Perform the "${request.skill}" step.`,
    request.instructions,
    request.outputSchema ? `Answer with JSON only, matching this JSON Schema: ${JSON.stringify(request.outputSchema)}` : '',
    request.feedback.length > 0 ? `A reviewer rejected the previous answer: ${request.feedback.join('; ')}. Fix these problems.` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  const input = typeof request.input === 'string' ? request.input : JSON.stringify(request.input);
  return [
    { role: 'system', content: system },
    { role: 'user', content: input },
  ];
}

/**
 * A chat node's conversation goes to the model as it is; only what the node adds (instructions,
 * the output schema, a judge's feedback on a retry) comes first as a system message.
 */
function chatMessages(request: SubtaskRequest): ChatMessage[] {
  const added = [
    request.instructions,
    request.outputSchema ? `Answer with JSON only, matching this JSON Schema: ${JSON.stringify(request.outputSchema)}` : '',
    request.feedback.length > 0 ? `A reviewer rejected the previous answer: ${request.feedback.join('; ')}. Fix these problems.` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  const conversation = request.chat!.messages.map((message) => ({ role: message.role, content: message.content }));
  return added ? [{ role: 'system', content: added }, ...conversation] : conversation;
}
