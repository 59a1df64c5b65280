import type { DashboardSnapshot, TaskView } from './views.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character]!);
}

const usd = (value: number | undefined) => (value === undefined ? '–' : `$${value < 0.01 && value > 0 ? value.toFixed(6) : value.toFixed(4)}`);

function taskRow(task: TaskView): string {
  const cells = [
    `<span class="badge ${escapeHtml(task.status)}">${escapeHtml(task.status)}</span>`,
    `<a href="#task/${encodeURIComponent(task.tenant)}/${encodeURIComponent(task.id)}">${escapeHtml(task.id.slice(0, 12))}</a>`,
    escapeHtml(task.pipeline),
    escapeHtml(task.tenant),
    usd(task.costUsd),
    usd(task.savingsUsd),
    task.latencyMs === undefined ? '–' : `${Math.round(task.latencyMs)} ms`,
    escapeHtml(task.verdict ?? '–'),
  ];
  return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
}

/**
 * The page: server-rendered navigation and task list (readable before the script runs), plus the
 * first snapshot as inert JSON for the client script, which then follows server-sent events.
 */
export function renderPage(snapshot: DashboardSnapshot, base: string): string {
  // `<` escaped so the JSON can never close the script element it sits in.
  const data = JSON.stringify(snapshot).replace(/</g, '\\u003c');
  const scope = snapshot.tenant ? `tenant ${escapeHtml(snapshot.tenant)}` : 'all tenants';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Troupe dashboard</title>
<link rel="stylesheet" href="${base}/assets/app.css">
<link rel="stylesheet" href="${base}/assets/charts.css">
</head>
<body>
<header class="top">
  <div class="brand">Troupe <span class="scope">${scope}</span></div>
  <nav>
    <a href="#tasks" data-view="tasks">Tasks</a>
    <a href="#economics" data-view="economics">Economics</a>
    ${snapshot.services ? '<a href="#services" data-view="services">Services</a>' : ''}
    <a href="#dead-letters" data-view="dead-letters">Dead letters</a>
  </nav>
  <div class="live" id="live" title="server-sent events from the dashboard">connecting…</div>
</header>
<main id="main">
  <section class="card">
    <h2>Tasks</h2>
    <table class="tasks"><thead><tr><th>status</th><th>task</th><th>pipeline</th><th>tenant</th><th>cost</th><th>saved</th><th>latency</th><th>verdict</th></tr></thead>
    <tbody>${snapshot.tasks.map(taskRow).join('')}</tbody></table>
  </section>
</main>
<script type="application/json" id="snapshot">${data}</script>
<script src="${base}/assets/charts.js"></script>
<script src="${base}/assets/dag.js"></script>
<script src="${base}/assets/app.js" data-base="${base}"></script>
</body>
</html>
`;
}
