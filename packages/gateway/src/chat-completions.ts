import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TroupeClient } from '@troupe/client';
import type { ProgressEvent, TaskResult } from '@troupe/protocol';
import type { Caller } from './api-keys.js';
import { ChatCompletionRequest } from './chat-completion-request.js';
import { answerOf, chatCompletion, chunkLine, textOf, usageLine, type Answer, type FinishReason } from './chat-completion-response.js';
import { chatTask, targetOf, type ChatTarget } from './chat-task.js';
import { GatewayError, fromReply, gatewayErrorOf } from './openai-error.js';
import { parseJsonBody } from './read-body.js';
import { StopSequences } from './stop-sequences.js';
import type { TroupeDirectory } from './troupe-directory.js';

export interface ChatContext {
  client: TroupeClient;
  caller: Caller;
  directory: TroupeDirectory;
  requestId: string;
  skill: string;
  timeoutMs: number;
}

/** Validates the body into a request, with 400s that name the field to fix. */
export function parseChatRequest(body: Buffer): ChatCompletionRequest {
  const parsed = ChatCompletionRequest.safeParse(parseJsonBody(body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join('.') || null;
    throw new GatewayError(400, `${param ? `${param}: ` : ''}${issue.message}`, 'invalid_request_error', 'invalid_request', param);
  }
  const request = parsed.data;
  if ((request.n ?? 1) > 1) {
    throw new GatewayError(400, 'n > 1 is not supported: every completion is a separately judged task, so send n requests', 'invalid_request_error', 'unsupported_parameter', 'n');
  }
  return request;
}

async function checkTarget(target: ChatTarget, model: string, directory: TroupeDirectory): Promise<void> {
  if (target.kind === 'model' && !(await directory.hasModel(model))) {
    const known = [...(await directory.current()).models].join(', ') || 'none are served now';
    throw new GatewayError(404, `the model "${model}" does not exist: use troupe/auto, troupe/pipeline/<name> or one of: ${known}`, 'invalid_request_error', 'model_not_found', 'model');
  }
}

function finishOf(request: ChatCompletionRequest, answer: Answer, result: TaskResult, stopped: boolean): FinishReason {
  if (answer.toolCalls.length) return 'tool_calls';
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (!stopped && maxTokens && result.usage.outputTokens >= maxTokens) return 'length';
  return 'stop';
}

function troupeHeaders(context: ChatContext, taskId: string): Record<string, string> {
  return { ...context.caller.headers, 'x-request-id': context.requestId, 'x-troupe-task-id': taskId };
}

function stopsOf(request: ChatCompletionRequest): string[] {
  return request.stop ? (typeof request.stop === 'string' ? [request.stop] : request.stop) : [];
}

/**
 * `POST /v1/chat/completions`: the request becomes one Troupe task, sent over NATS with the
 * caller's tenant; the verified result is answered as a `chat.completion` (or SSE chunks).
 */
export async function handleChatCompletion(body: Buffer, request: IncomingMessage, response: ServerResponse, context: ChatContext): Promise<void> {
  const chat = parseChatRequest(body);
  const target = targetOf(chat.model);
  await checkTarget(target, chat.model, context.directory);
  const taskId = randomUUID();
  const task = chatTask(chat, target, {
    taskId,
    skill: context.skill,
    timeoutMs: context.timeoutMs,
    requestId: context.requestId,
    ...(context.caller.remainingUsd !== undefined ? { budgetUsd: context.caller.remainingUsd } : {}),
  });
  const withTools = Boolean(chat.tools?.length) && chat.tool_choice !== 'none';
  if (chat.stream === true) return streamChat(chat, target, task, withTools, response, context);

  const result = await context.client.run(task, { timeoutMs: context.timeoutMs + 5_000 });
  context.caller.charge(result.costUsd);
  if (result.status !== 'completed') throw fromReply(result.error ?? { code: 'NODE_FAILED', message: 'the task failed' });
  const answer = answerOf(result, target, withTools);
  const cut = StopSequences.apply(answer.content ?? '', stopsOf(chat));
  const final: Answer = { ...answer, content: answer.content === null ? null : cut.text };
  const created = Math.floor(Date.now() / 1000);
  const payload = JSON.stringify(chatCompletion(result, final, chat.model, finishOf(chat, final, result, cut.stopped), created));
  response.writeHead(200, {
    ...troupeHeaders(context, taskId),
    'x-troupe-cost-usd': result.costUsd.toFixed(6),
    'x-troupe-model': answer.model ?? '',
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}

async function streamChat(
  chat: ChatCompletionRequest,
  target: ChatTarget,
  task: ReturnType<typeof chatTask>,
  withTools: boolean,
  response: ServerResponse,
  context: ChatContext,
): Promise<void> {
  const taskId = task.id!;
  const id = `chatcmpl-${taskId}`;
  const created = Math.floor(Date.now() / 1000);
  const model = target.kind === 'model' ? target.model : chat.model;
  const stops = new StopSequences(stopsOf(chat));
  const abort = new AbortController();
  // The response's 'close' (not the request's, which fires once the body is read): the client went away or we finished.
  response.once('close', () => abort.abort());
  // Subscribe before the task starts, so no token is missed.
  const events = context.client.events(taskId, { signal: abort.signal });
  const run = context.client.run({ ...task, progress: true }, { timeoutMs: context.timeoutMs + 5_000 });
  // Charged whenever the task ends, even after the stream has already failed.
  run.then((result) => context.caller.charge(result.costUsd), () => undefined);

  // Headers go out with the first token (or the result), so a task refused up front still gets a 4xx.
  const start = () => {
    if (response.headersSent) return;
    response.writeHead(200, {
      ...troupeHeaders(context, taskId),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      trailer: 'x-troupe-cost-usd, x-troupe-model',
    });
    response.write(chunkLine(id, created, model, { role: 'assistant', content: '' }, null));
  };
  let streamed = false;
  // Streamed tokens cannot be taken back: a verdict other than pass ends the stream with an error
  // (the client keeps the chunks so far) instead of streaming a retry's tokens after them.
  let reject: (error: GatewayError) => void = () => undefined;
  const rejected = new Promise<never>((_resolve, fail) => {
    reject = fail;
  });
  rejected.catch(() => undefined);
  const relay = (async () => {
    for await (const event of events as AsyncIterable<ProgressEvent>) {
      if (event.type === 'verdict.ready' && target.kind !== 'pipeline' && event.decision !== 'pass') {
        reject(fromReply({ code: 'OUTPUT_INVALID', message: `the judge rejected the answer: ${event.reasons.join('; ') || event.decision}` }));
        return;
      }
      // Tokens of the chat node only: a pipeline's inner steps are not the answer.
      if (event.type !== 'node.token' || target.kind === 'pipeline' || withTools) continue;
      const text = stops.push(event.delta);
      if (text) {
        streamed = true;
        start();
        response.write(chunkLine(id, created, model, { content: text }, null));
      }
    }
  })().catch(() => undefined);

  try {
    const result = await Promise.race([run, rejected]);
    // The planner publishes task.completed before it replies; give the relay a moment to drain.
    await Promise.race([relay, new Promise((resolve) => setTimeout(resolve, 250))]);
    if (result.status !== 'completed') throw fromReply(result.error ?? { code: 'NODE_FAILED', message: 'the task failed' });
    start();
    const answer = answerOf(result, target, withTools);
    const answeredModel = answer.model ?? model;
    if (answer.toolCalls.length) {
      response.write(chunkLine(id, created, answeredModel, { tool_calls: answer.toolCalls.map((call, index) => ({ index, ...call })) }, null));
    } else if (!streamed) {
      const text = stops.push(textOf(answer.content));
      if (text) response.write(chunkLine(id, created, answeredModel, { content: text }, null));
    }
    const tail = stops.flush();
    if (tail) response.write(chunkLine(id, created, answeredModel, { content: tail }, null));
    response.write(chunkLine(id, created, answeredModel, {}, finishOf(chat, answer, result, stops.stopped)));
    if (chat.stream_options?.include_usage) response.write(usageLine(id, created, answeredModel, result));
    response.write('data: [DONE]\n\n');
    response.addTrailers({ 'x-troupe-cost-usd': result.costUsd.toFixed(6), 'x-troupe-model': answeredModel });
    response.end();
  } catch (error) {
    if (!response.headersSent) throw error;
    // Mid-stream: the client has the chunks so far; an error event ends the stream (no [DONE]).
    const failure = gatewayErrorOf(error);
    response.write(`data: ${JSON.stringify(failure.body())}\n\n`);
    response.end();
  } finally {
    abort.abort();
  }
}
