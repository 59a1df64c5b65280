import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { ErrorCode, TroupeError, tenantOfSubject, type Cascade, type NodeReport, type PipelineDefinition, type PipelineNode, type TaskSubmission } from '@troupe/protocol';
import { checkPipeline, type PlannedTask } from '@troupe/planner';
import type { TaskRecord, TaskStore } from '@troupe/store-contract';
import { draftPlan } from './llm-planner.js';
import type { SkillDirectory } from './skill-directory.js';

export type Admission =
  { kind: 'new'; task: PlannedTask; pipeline: PipelineDefinition; planReport?: NodeReport } | { kind: 'duplicate'; record: TaskRecord };

export interface TaskAdmissionOptions {
  connection: NatsConnection;
  pipelines: ReadonlyMap<string, PipelineDefinition>;
  skills: SkillDirectory;
  store: TaskStore;
  estimateCostUsd?: (pipeline: PipelineDefinition) => number;
  onTaskStart?: (task: PlannedTask) => Promise<void>;
  /**
   * For this long after the planner starts, a skill no worker has announced yet is looked for again
   * (every 100 ms, up to the request's deadline) instead of failing with UNKNOWN_SKILL at once: a
   * freshly restarted planner has not heard from every worker yet. Default 5 s.
   */
  discoveryMs?: number;
  /** A skill's default cascade (e.g. the deployed router's policy) for nodes that pin neither a model nor a cascade. */
  cascadeFor?: (node: PipelineNode, task: PlannedTask) => Cascade | undefined;
}

/** How long before its deadline a request gives up waiting for discovery, to still answer in time. */
const ANSWER_MARGIN_MS = 250;
const DISCOVERY_POLL_MS = 100;

/**
 * Task admission: the tenant from the subject, an id assigned, idempotency by id (a stored record
 * is a duplicate), the pipeline resolved (registered, inline, or drafted by an LLM) and checked,
 * and every skill it needs served by some worker.
 */
export class TaskAdmission {
  readonly #options: TaskAdmissionOptions;
  readonly #discoveringUntil: number;
  /** Discovery has settled: the workers named the same skills twice in a row. */
  #settled = false;
  #lastAnswer: string | undefined;

  constructor(options: TaskAdmissionOptions) {
    this.#options = options;
    this.#discoveringUntil = Date.now() + (options.discoveryMs ?? 5_000);
  }

  /** Admits a submission; `deadline` (epoch ms) bounds any wait for worker discovery. */
  async admit(raw: TaskSubmission, subject: string, deadline?: number): Promise<Admission> {
    const tenant = tenantOfSubject(subject) ?? raw.tenant;
    if (raw.tenant !== 'default' && raw.tenant !== tenant) {
      throw new TroupeError(ErrorCode.PERMISSION_DENIED, `a task for tenant "${raw.tenant}" cannot be sent on tenant "${tenant}"'s subject`);
    }
    const task: PlannedTask = { ...raw, tenant, id: raw.id ?? randomUUID() };
    const previous = raw.id ? await this.#options.store.get(tenant, task.id) : undefined;
    if (previous) return { kind: 'duplicate', record: previous };
    const resolved = await this.resolvePipeline(task, deadline);
    await this.#options.onTaskStart?.(task);
    return { kind: 'new', task, ...resolved };
  }

  /** The task's pipeline, checked, with every skill served; for queued tasks too. */
  async resolvePipeline(task: PlannedTask, deadline?: number): Promise<{ pipeline: PipelineDefinition; planReport?: NodeReport }> {
    const { pipelines, skills } = this.#options;
    if (task.planner === 'llm' && !task.plan && !task.pipeline) {
      const known = await skills.known();
      const estimate = this.#options.estimateCostUsd;
      const drafted = await draftPlan({
        connection: this.#options.connection,
        task,
        knownSkills: [...known],
        ...(estimate ? { estimateCostUsd: estimate } : {}),
      });
      return { pipeline: drafted.pipeline, planReport: drafted.report };
    }
    const pipeline = task.plan ?? (task.pipeline ? pipelines.get(task.pipeline) : undefined);
    if (!pipeline) {
      throw new TroupeError(
        ErrorCode.UNKNOWN_PIPELINE,
        `no pipeline named "${task.pipeline}" (known: ${[...pipelines.keys()].join(', ') || 'none'})`,
      );
    }
    checkPipeline(pipeline);
    const missing = await this.#missingSkills([...new Set(pipeline.nodes.map((node) => node.skill))], deadline);
    if (missing.length > 0) {
      throw new TroupeError(ErrorCode.UNKNOWN_SKILL, `no worker serves skill(s) ${missing.map((skill) => `"${skill}"`).join(', ')}`, {
        details: { skills: missing },
      });
    }
    return { pipeline: this.#withCascades(pipeline, task) };
  }

  /** Fills in each skill's default cascade; stored with the task record, so a resumed task runs the same ladder. */
  #withCascades(pipeline: PipelineDefinition, task: PlannedTask): PipelineDefinition {
    const cascadeFor = this.#options.cascadeFor;
    if (!cascadeFor) return pipeline;
    const nodes = pipeline.nodes.map((node) => {
      if (node.cascade || node.model || node.chat) return node;
      const cascade = cascadeFor(node, task);
      return cascade ? { ...node, cascade } : node;
    });
    return { ...pipeline, nodes };
  }

  /**
   * The skills no worker serves. While discovery is young — the planner started less than
   * `discoveryMs` ago and two answers in a row have not yet named the same non-empty set of skills —
   * it asks the workers again every 100 ms until the request's deadline.
   */
  async #missingSkills(needed: string[], deadline = Number.POSITIVE_INFINITY): Promise<string[]> {
    const { skills } = this.#options;
    for (;;) {
      const missing: string[] = [];
      for (const skill of needed) if (!(await skills.has(skill))) missing.push(skill);
      const waitUntil = Math.min(this.#discoveringUntil, deadline - ANSWER_MARGIN_MS);
      if (missing.length === 0 || this.#settled || Date.now() + DISCOVERY_POLL_MS > waitUntil) return missing;
      await new Promise((resolve) => setTimeout(resolve, DISCOVERY_POLL_MS));
      const before = this.#lastAnswer;
      await skills.refresh();
      this.#lastAnswer = [...(await skills.known())].sort().join(',');
      if (this.#lastAnswer !== '' && this.#lastAnswer === before) this.#settled = true;
    }
  }
}
