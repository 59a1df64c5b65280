// Code skills for the worker service: loaded from TROUPE_SKILLS_MODULE, hosted beside the model skills, offered as tools.
import type { NatsConnection } from '@nats-io/nats-core';
import { z } from 'zod';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { codeSkillsAsTools, hostCodeSkills, type ModelCatalog, type NodeResultLedger, type WorkerHostOptions } from '@troupe/runtime';
import { loadSkillsModule, type CodeSkill } from '@troupe/skills';
import type { Logger, TroupeService } from '@troupe/transport';

export const CodeSkillsEnv = z.object({
  /** Module (path or package) whose `defineSkill` exports this worker serves as code skills. */
  TROUPE_SKILLS_MODULE: z.string().optional(),
  /** Code skills offered as tools to model skills: `expert:order-lookup+refund-rule,generate:refund-rule`. */
  TROUPE_SKILL_TOOLS: z.string().optional(),
});

export interface WorkerCodeSkills {
  /** Names served by code; the model worker leaves them out. */
  readonly names: ReadonlySet<string>;
  /** Adds the tool loop over code skills to the model worker's options (keeping its budget wrapper). */
  withTools(options: WorkerHostOptions): WorkerHostOptions;
  /** Hosts the code skills (no-op without a module); `callModel` goes through the same budget wrapper. */
  host(options: {
    connection: NatsConnection;
    models: ModelCatalog;
    logger: Logger;
    workerId: string;
    ledger?: NodeResultLedger;
    defaultModel?: string;
  }): Promise<TroupeService | undefined>;
  dispose(): Promise<void>;
}

export async function loadWorkerCodeSkills(env: z.infer<typeof CodeSkillsEnv>): Promise<WorkerCodeSkills> {
  const skills: CodeSkill[] = env.TROUPE_SKILLS_MODULE ? await loadSkillsModule(env.TROUPE_SKILLS_MODULE) : [];
  const toolsBySkill = parseSkillTools(env.TROUPE_SKILL_TOOLS);
  if (Object.keys(toolsBySkill).length && !skills.length)
    throw new TroupeError(ErrorCode.CONFIG_INVALID, 'TROUPE_SKILL_TOOLS names tools, but TROUPE_SKILLS_MODULE is not set');
  let wrapModel: WorkerHostOptions['wrapModel'];
  return {
    names: new Set(skills.map((skill) => skill.name)),
    withTools(options) {
      wrapModel = options.wrapModel;
      if (!Object.keys(toolsBySkill).length) return options;
      return {
        ...options,
        wrapModel: codeSkillsAsTools(skills, toolsBySkill, {
          ...(options.logger ? { logger: options.logger } : {}),
          ...(wrapModel ? { wrapModel } : {}),
        }),
      };
    },
    async host(options) {
      if (!skills.length) return undefined;
      return hostCodeSkills({ ...options, skills, ...(wrapModel ? { wrapModel } : {}) });
    },
    async dispose() {
      await Promise.all(skills.map((skill) => (skill as Partial<AsyncDisposable>)[Symbol.asyncDispose]?.()));
    },
  };
}

function parseSkillTools(value: string | undefined): Record<string, string[]> {
  const table: Record<string, string[]> = {};
  for (const entry of (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [skill, tools] = entry.split(':');
    if (!skill || !tools) throw new TroupeError(ErrorCode.CONFIG_INVALID, `TROUPE_SKILL_TOOLS entry "${entry}" is not skill:tool+tool`);
    table[skill.trim()] = tools
      .split('+')
      .map((tool) => tool.trim())
      .filter(Boolean);
  }
  return table;
}
