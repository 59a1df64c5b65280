// Troupe dashboard: a task's DAG as an SVG graph (columns by depth, edges as curves), no library.
'use strict';
(function () {
  const { esc, usd } = window.TroupeCharts;
  const W = 250,
    H = 132,
    GAP_X = 70,
    GAP_Y = 24;

  /** Depth of each node: the longest path from a root, so every edge points right. */
  function depths(nodes) {
    const byId = new Map(nodes.map((node) => [node.id, node]));
    const memo = new Map();
    const depth = (id, seen = new Set()) => {
      if (memo.has(id)) return memo.get(id);
      if (seen.has(id)) return 0;
      seen.add(id);
      const node = byId.get(id);
      const value = node && node.dependsOn.length ? 1 + Math.max(...node.dependsOn.filter((p) => byId.has(p)).map((p) => depth(p, seen)), -1) : 0;
      memo.set(id, value);
      return value;
    };
    nodes.forEach((node) => depth(node.id));
    return memo;
  }

  function layout(nodes) {
    const depth = depths(nodes);
    const columns = [];
    for (const node of nodes) (columns[depth.get(node.id)] ??= []).push(node);
    const tallest = Math.max(1, ...columns.map((column) => column?.length ?? 0));
    const height = tallest * (H + GAP_Y) - GAP_Y + 24;
    const at = new Map();
    columns.forEach((column, c) => {
      const offset = (height - (column.length * (H + GAP_Y) - GAP_Y)) / 2;
      column.forEach((node, r) => at.set(node.id, { x: 12 + c * (W + GAP_X), y: offset + r * (H + GAP_Y) }));
    });
    return { at, width: columns.length * (W + GAP_X) - GAP_X + 24, height };
  }

  const STATUS_TEXT = { pending: 'pending', running: 'running', judging: 'judging', succeeded: 'done', failed: 'failed', skipped: 'skipped' };

  function nodeBox(node, p) {
    const models = node.models.length > 1 ? node.models.join(' → ') : (node.model ?? '–');
    const verdict = node.verdict ?? (node.status === 'skipped' ? 'skipped' : '…');
    const line = (y, text, cls = '') => `<text class="${cls}" x="${p.x + 14}" y="${p.y + y}">${text}</text>`;
    const title = [
      node.id,
      `skill ${node.skill}`,
      `models ${models}`,
      ...(node.reasons.length ? ['reasons:', ...node.reasons] : []),
      ...(node.error ? [node.error] : []),
    ].join('\n');
    return `<g class="node ${esc(node.status)}" data-node="${esc(node.id)}" data-status="${esc(node.status)}" data-model="${esc(node.model ?? '')}" data-verdict="${esc(node.verdict ?? '')}">
      <title>${esc(title)}</title>
      <rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="10"/>
      <rect class="stripe" x="${p.x}" y="${p.y}" width="6" height="${H}" rx="3"/>
      ${line(24, `${esc(node.id)}`, 'node-title')}
      <text class="node-status" x="${p.x + W - 12}" y="${p.y + 24}" text-anchor="end">${STATUS_TEXT[node.status] ?? esc(node.status)}</text>
      ${line(44, `${esc(node.skill)} · <tspan class="model">${esc(models.length > 30 ? `${models.slice(0, 29)}…` : models)}</tspan>`)}
      ${line(66, `${node.tokensIn}/${node.tokensOut} tok · ${usd(node.costUsd)}${node.cacheHits ? ` · cache ${node.cacheHits}` : ''}`, 'figure')}
      ${line(86, `${node.latencyMs === undefined ? '–' : `${Math.round(node.latencyMs)} ms`} · attempts ${node.attempts}${node.escalations ? ` · ↑${node.escalations}` : ''}`, 'figure')}
      <rect class="verdict-pill ${esc(verdict)}" x="${p.x + 14}" y="${p.y + 98}" width="${Math.max(44, verdict.length * 8 + 16)}" height="22" rx="11"/>
      <text class="verdict-text" x="${p.x + 22}" y="${p.y + 113}">${esc(verdict)}</text>
      ${node.reasons.length ? `<text class="reason" x="${p.x + Math.max(44, verdict.length * 8 + 16) + 22}" y="${p.y + 113}">${esc(node.reasons[0].slice(0, 24))}${node.reasons[0].length > 24 ? '…' : ''}</text>` : ''}
    </g>`;
  }

  /** The DAG of one task; every node carries data-node/data-status/data-model/data-verdict. */
  function dag(task) {
    if (task.nodes.length === 0) return '<p class="empty">Waiting for the plan…</p>';
    const { at, width, height } = layout(task.nodes);
    const edges = task.nodes
      .flatMap((node) =>
        node.dependsOn
          .filter((parent) => at.has(parent))
          .map((parent) => {
            const from = at.get(parent),
              to = at.get(node.id);
            const x1 = from.x + W,
              y1 = from.y + H / 2,
              x2 = to.x - 6,
              y2 = to.y + H / 2,
              mid = (x1 + x2) / 2;
            return `<path class="edge" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}" marker-end="url(#arrow)"/>`;
          }),
      )
      .join('');
    const boxes = task.nodes.map((node) => nodeBox(node, at.get(node.id))).join('');
    return `<svg class="dag" viewBox="0 0 ${width} ${height}" width="${Math.round(width * 1.15)}" height="${Math.round(height * 1.15)}" role="img" aria-label="task graph">
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow"/></marker></defs>
      ${edges}${boxes}</svg>`;
  }

  window.TroupeDag = { dag };
})();
