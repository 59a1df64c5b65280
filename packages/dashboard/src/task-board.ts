import type { ProgressEvent } from '@troupe/protocol';
import { LOCAL_PROVIDERS, RANK, asStatus, asTaskStatus, emptyNode, finalVerdict } from './node-states.js';
import type { NodeView, NodeViewStatus, TaskView } from './views.js';
import type { NodeCallWire, RecordNode, ResultNode, TaskRecordWire } from './wire.js';

/** One model call seen on a node, for the economics view. */
export interface CallSample {
  taskId: string;
  tenant: string;
  nodeId: string;
  skill: string;
  attempt: number;
  model: string;
  tier: string;
  at: number;
  verdict?: string;
}

/**
 * The live task list: progress events and task records (which arrive in any order, and may be
 * older than the events already seen) merged into one view per task. Bounded: the oldest tasks go
 * first once `capacity` is reached.
 */
export class TaskBoard {
  readonly #tasks = new Map<string, TaskView>();
  /** Calls per task, then per node/attempt, so an event and a record about the same call count once. */
  readonly #calls = new Map<string, Map<string, CallSample>>();
  readonly #tiers = new Map<string, string>();
  readonly #capacity: number;
  #version = 0;

  constructor(capacity = 500) {
    this.#capacity = capacity;
  }

  /** Increases on every change; the HTTP side pushes a snapshot when it moves. */
  get version(): number {
    return this.#version;
  }

  tasks(tenant?: string): TaskView[] {
    const all = [...this.#tasks.values()].filter((task) => !tenant || task.tenant === tenant);
    return all.sort((a, b) => b.startedAt - a.startedAt);
  }

  calls(tenant?: string): CallSample[] {
    return [...this.#calls.values()].flatMap((calls) => [...calls.values()]).filter((call) => !tenant || call.tenant === tenant);
  }

  #task(tenant: string, taskId: string, at: number): TaskView {
    const key = `${tenant}.${taskId}`;
    let task = this.#tasks.get(key);
    if (!task) {
      task = { id: taskId, tenant, pipeline: '?', status: 'running', startedAt: at, updatedAt: at, costUsd: 0, nodes: [] };
      this.#tasks.set(key, task);
      if (this.#tasks.size > this.#capacity) this.#evictOldest();
    }
    task.updatedAt = Math.max(task.updatedAt, at);
    this.#version += 1;
    return task;
  }

  /** Drops the task seen first (Map order is arrival order): O(1), even while a large bucket is read. */
  #evictOldest(): void {
    const oldest = this.#tasks.keys().next();
    if (oldest.done) return;
    this.#tasks.delete(oldest.value);
    this.#calls.delete(oldest.value);
  }

  #node(task: TaskView, nodeId: string): NodeView {
    let node = task.nodes.find((candidate) => candidate.id === nodeId);
    if (!node) {
      node = emptyNode(nodeId);
      task.nodes.push(node);
    }
    return node;
  }

  #move(node: NodeView, attempt: number, status: NodeViewStatus): void {
    if (attempt > node.attempts || (attempt === node.attempts && RANK[status] >= RANK[node.status])) {
      node.attempts = Math.max(node.attempts, attempt);
      node.status = status;
    }
  }

  #useModel(node: NodeView, model: string | undefined): void {
    if (!model) return;
    node.model = model;
    if (node.models.at(-1) !== model) {
      if (!node.models.includes(model)) node.models.push(model);
      node.escalations = Math.max(node.escalations, node.models.length - 1);
    }
  }

  #recordCall(task: TaskView, node: NodeView, attempt: number, model: string, at: number, provider?: string, costUsd = 0): void {
    if (provider) this.#tiers.set(model, LOCAL_PROVIDERS.has(provider) ? 'local' : 'frontier');
    const tier = this.#tiers.get(model) ?? (costUsd > 0 ? 'frontier' : 'local');
    const taskKey = `${task.tenant}.${task.id}`;
    const calls = this.#calls.get(taskKey) ?? new Map<string, CallSample>();
    this.#calls.set(taskKey, calls);
    const existing = calls.get(`${node.id}.${attempt}`);
    calls.set(`${node.id}.${attempt}`, {
      ...existing,
      taskId: task.id,
      tenant: task.tenant,
      nodeId: node.id,
      skill: node.skill,
      attempt,
      model,
      tier,
      at: existing?.at ?? at,
    });
  }

  /** A node's recorded call list is the whole truth about its calls: it replaces what events added. */
  #applyCalls(task: TaskView, node: NodeView, calls: readonly NodeCallWire[], served: { model?: string; provider?: string }): void {
    const taskKey = `${task.tenant}.${task.id}`;
    const all = this.#calls.get(taskKey) ?? new Map<string, CallSample>();
    this.#calls.set(taskKey, all);
    const previous = [...all.entries()].filter(([key]) => key.startsWith(`${node.id}.`));
    for (const [key] of previous) all.delete(key);
    calls.forEach((call, index) => {
      if (call.role === 'answer') this.#useModel(node, call.model);
      node.escalations = Math.max(node.escalations, call.step ?? 0);
      // The provider is known only for the model that gave the final answer.
      if (served.provider && call.model === served.model) this.#tiers.set(call.model, LOCAL_PROVIDERS.has(served.provider) ? 'local' : 'frontier');
      const tier = this.#tiers.get(call.model) ?? (call.costUsd > 0 ? 'frontier' : 'local');
      const at = previous.find(([, sample]) => sample.attempt === call.attempt)?.[1].at ?? task.updatedAt;
      all.set(`${node.id}.${call.attempt}.${index}`, {
        taskId: task.id,
        tenant: task.tenant,
        nodeId: node.id,
        skill: node.skill,
        attempt: call.attempt,
        model: call.model,
        tier,
        at,
        ...(call.decision ? { verdict: call.decision } : {}),
      });
    });
  }

  #judged(task: TaskView, node: NodeView, attempt: number, verdict: string): void {
    const call = this.#calls.get(`${task.tenant}.${task.id}`)?.get(`${node.id}.${attempt}`);
    if (call) call.verdict = verdict;
  }

  /** Applies one progress event from `troupe.v1.<tenant>.events.<taskId>`. */
  applyEvent(tenant: string, event: ProgressEvent, traceId?: string): void {
    const task = this.#task(tenant, event.taskId, event.at);
    if (traceId) task.traceId ??= traceId;
    switch (event.type) {
      case 'task.accepted':
        task.startedAt = Math.min(task.startedAt, event.at);
        return;
      case 'plan.ready':
        for (const planned of event.nodes) {
          const node = this.#node(task, planned.id);
          node.skill = planned.skill;
          node.dependsOn = planned.dependsOn;
        }
        return;
      case 'node.started': {
        const node = this.#node(task, event.nodeId);
        this.#move(node, event.attempt, 'running');
        this.#useModel(node, event.model);
        return;
      }
      case 'node.token':
        return;
      case 'model.loading':
        task.loading = event.progress >= 1 ? undefined : { model: event.model, progress: event.progress };
        return;
      case 'node.completed': {
        const node = this.#node(task, event.nodeId);
        this.#move(node, event.attempt, 'judging');
        this.#useModel(node, event.model);
        node.tokensIn += event.usage.inputTokens;
        node.tokensOut += event.usage.outputTokens;
        node.cachedTokens += event.usage.cachedInputTokens;
        node.costUsd += event.costUsd;
        node.latencyMs = event.metrics.latencyMs;
        task.costUsd = task.nodes.reduce((sum, each) => sum + each.costUsd, 0);
        this.#recordCall(task, node, event.attempt, event.model, event.at, undefined, event.costUsd);
        return;
      }
      case 'verdict.ready': {
        const node = this.#node(task, event.nodeId);
        node.verdict = event.decision;
        node.reasons = event.reasons;
        if (event.decision === 'pass') this.#move(node, event.attempt, 'succeeded');
        else if (event.decision === 'fail') this.#move(node, event.attempt, 'failed');
        this.#judged(task, node, event.attempt, event.decision);
        return;
      }
      case 'node.failed': {
        const node = this.#node(task, event.nodeId);
        this.#move(node, node.attempts, 'failed');
        node.error = `${event.error.code}: ${event.error.message}`;
        return;
      }
      case 'task.completed':
        task.status = 'completed';
        task.costUsd = event.costUsd;
        task.latencyMs = event.latencyMs;
        task.finishedAt = event.at;
        task.loading = undefined;
        task.verdict ??= finalVerdict(task);
        return;
      case 'task.failed':
        task.status = 'failed';
        task.finishedAt = event.at;
        task.error = `${event.error.code}: ${event.error.message}`;
        task.verdict = event.error.code;
        task.loading = undefined;
        return;
      default: {
        // `node.cache-hit` (the semantic cache answered, no model ran) and types newer than this switch.
        const other = event as { type: string; nodeId?: string };
        if (other.type === 'node.cache-hit' && other.nodeId) this.#node(task, other.nodeId).cacheHits += 1;
      }
    }
  }

  /** Applies one task record from the `troupe_tasks` bucket (a put of `<tenant>.<taskId>`). */
  applyRecord(record: TaskRecordWire): void {
    const task = this.#task(record.task.tenant, record.task.id, record.updatedAt ?? record.startedAt);
    task.pipeline = record.pipelineName ?? record.task.pipeline ?? task.pipeline;
    if (record.startedAt > 0) task.startedAt = record.startedAt;
    if (record.traceId) task.traceId = record.traceId;
    if (task.status !== 'completed' && task.status !== 'failed')
      task.status = record.status === 'queued' ? 'queued' : (asTaskStatus(record.status) ?? task.status);
    for (const planned of record.pipeline?.nodes ?? []) {
      const node = this.#node(task, planned.id);
      node.skill = planned.skill;
      node.dependsOn = planned.dependsOn;
    }
    for (const [nodeId, state] of Object.entries(record.nodes)) this.#applyNodeState(task, this.#node(task, nodeId), state);
    const result = record.result;
    if (!result) return;
    for (const report of result.nodes) this.#applyReport(task, this.#node(task, report.nodeId), report);
    task.status = result.status === 'completed' ? 'completed' : 'failed';
    task.costUsd = result.costUsd;
    if (result.savingsUsd !== undefined) {
      task.savingsUsd = result.savingsUsd;
      task.referenceCostUsd = result.costUsd + result.savingsUsd;
    }
    if (result.latencyMs !== undefined) task.latencyMs = result.latencyMs;
    task.finishedAt ??= record.updatedAt ?? task.startedAt + (result.latencyMs ?? 0);
    if (result.error) task.error = `${result.error.code}: ${result.error.message}`;
    task.verdict = result.error?.code ?? finalVerdict(task);
    task.loading = undefined;
  }

  #applyNodeState(task: TaskView, node: NodeView, state: RecordNode): void {
    for (const model of state.triedModels) this.#useModel(node, model);
    this.#move(node, state.attempt, asStatus(state.status));
    this.#useModel(node, state.result?.model);
    node.costUsd = Math.max(node.costUsd, state.costUsd);
    node.tokensIn = Math.max(node.tokensIn, state.usage?.inputTokens ?? 0);
    node.tokensOut = Math.max(node.tokensOut, state.usage?.outputTokens ?? 0);
    node.cachedTokens = Math.max(node.cachedTokens, state.usage?.cachedInputTokens ?? 0);
    if (state.result?.cached || state.result?.cacheHit || state.result?.provider === 'cache') node.cacheHits = Math.max(node.cacheHits, 1);
    if (state.result?.metrics?.latencyMs !== undefined) node.latencyMs = state.result.metrics.latencyMs;
    if (state.verdict) {
      node.verdict = state.verdict.decision;
      node.reasons = state.verdict.reasons;
    }
    if (state.error?.code) node.error = `${state.error.code}: ${state.error.message ?? ''}`;
    if (state.calls?.length) this.#applyCalls(task, node, state.calls, { model: state.result?.model, provider: state.result?.provider });
    else if (state.result?.model && state.attempt > 0) {
      this.#recordCall(task, node, state.attempt, state.result.model, task.updatedAt, state.result.provider, state.result.costUsd);
      if (state.verdict) this.#judged(task, node, state.attempt, state.verdict.decision);
    }
  }

  #applyReport(task: TaskView, node: NodeView, report: ResultNode): void {
    if (report.skill) node.skill = report.skill;
    const attempts = report.attempts ?? node.attempts;
    node.attempts = Math.max(node.attempts, attempts);
    node.status = asStatus(report.status);
    this.#useModel(node, report.model);
    node.costUsd = report.costUsd;
    node.tokensIn = report.usage?.inputTokens ?? node.tokensIn;
    node.tokensOut = report.usage?.outputTokens ?? node.tokensOut;
    node.cachedTokens = report.usage?.cachedInputTokens ?? node.cachedTokens;
    if (report.cached || report.cacheHit || report.provider === 'cache') node.cacheHits = Math.max(node.cacheHits, 1);
    if (report.metrics?.latencyMs !== undefined) node.latencyMs = report.metrics.latencyMs;
    if (report.verdict) {
      node.verdict = report.verdict.decision;
      node.reasons = report.verdict.reasons;
    }
    if (report.error?.code) node.error = `${report.error.code}: ${report.error.message ?? ''}`;
    if (report.calls?.length) this.#applyCalls(task, node, report.calls, { model: report.model, provider: report.provider });
    else if (report.model && attempts > 0) this.#recordCall(task, node, attempts, report.model, task.updatedAt, report.provider, report.costUsd);
  }
}
