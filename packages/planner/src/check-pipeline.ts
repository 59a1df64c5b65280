import { ErrorCode, TroupeError, type PipelineDefinition, type PipelineNode } from '@troupe/protocol';

export interface PipelineCheckOptions {
  /** Skills some worker serves; when given, every node's skill must be among them. */
  knownSkills?: ReadonlySet<string>;
}

/**
 * Static checks run before anything executes: unique ids, known parents, no cycles, known
 * skills, `when` conditions that point at a parent, and a valid output node.
 * Throws PLAN_INVALID listing every problem, so a caller can fix them all at once.
 */
export function checkPipeline(pipeline: PipelineDefinition, options: PipelineCheckOptions = {}): void {
  const problems: string[] = [];
  const byId = new Map<string, PipelineNode>();
  for (const node of pipeline.nodes) {
    if (byId.has(node.id)) problems.push(`node "${node.id}" is defined twice`);
    byId.set(node.id, node);
  }
  for (const node of pipeline.nodes) {
    for (const parent of node.dependsOn) {
      if (!byId.has(parent)) problems.push(`node "${node.id}" depends on unknown node "${parent}"`);
      if (parent === node.id) problems.push(`node "${node.id}" depends on itself`);
    }
    if (options.knownSkills && !options.knownSkills.has(node.skill)) {
      problems.push(`node "${node.id}" needs skill "${node.skill}", which no worker serves`);
    }
    if (node.when && !node.dependsOn.includes(node.when.node)) {
      problems.push(`node "${node.id}" has a condition on "${node.when.node}", which is not one of its parents`);
    }
  }
  if (pipeline.output && !byId.has(pipeline.output)) problems.push(`output node "${pipeline.output}" does not exist`);
  const cycle = findCycle(pipeline.nodes);
  if (cycle) problems.push(`the pipeline has a cycle: ${cycle.join(' → ')}`);
  if (problems.length > 0) {
    throw new TroupeError(ErrorCode.PLAN_INVALID, `pipeline "${pipeline.name}" is invalid: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
}

/** Returns one cycle as a list of node ids, or undefined when the graph is acyclic. */
export function findCycle(nodes: readonly PipelineNode[]): string[] | undefined {
  const parents = new Map(nodes.map((node) => [node.id, node.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const parent of parents.get(id) ?? []) {
      const cycle = visit(parent);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node.id);
    if (cycle) return cycle;
  }
  return undefined;
}
