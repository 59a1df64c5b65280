// Troupe dashboard client: renders the snapshot the server pushes (server-sent events) into views.
'use strict';
(function () {
  const { costChart, donut, bars, esc, usd, time } = window.TroupeCharts;
  const { dag } = window.TroupeDag;
  const base = document.currentScript?.dataset.base ?? '/dashboard';
  const main = document.getElementById('main');
  const live = document.getElementById('live');
  let snapshot = JSON.parse(document.getElementById('snapshot').textContent);

  const ms = (value) => (value === undefined ? '–' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
  const badge = (status) => `<span class="badge ${esc(status)}">${esc(status)}</span>`;
  const verdictBadge = (verdict) => (verdict ? `<span class="verdict ${esc(verdict)}">${esc(verdict)}</span>` : '–');
  const taskLink = (task) => `#task/${encodeURIComponent(task.tenant)}/${encodeURIComponent(task.id)}`;
  const saved = (task) =>
    task.savingsUsd === undefined
      ? '–'
      : `${usd(task.savingsUsd)}${task.referenceCostUsd ? ` <small>(${Math.round((task.savingsUsd / task.referenceCostUsd) * 100)}%)</small>` : ''}`;

  function kpis() {
    const tasks = snapshot.tasks;
    const e = snapshot.economics;
    const running = tasks.filter((t) => t.status === 'running' || t.status === 'queued').length;
    const judged = e.passRates.reduce((s, r) => s + r.judged, 0);
    const passed = e.passRates.reduce((s, r) => s + r.passed, 0);
    const reference = e.totalReferenceCostUsd;
    const cards = [
      ['tasks', tasks.length, `${running} running`],
      ['spent', usd(e.totalCostUsd), `${e.costSeries.length} finished`],
      [
        'saved vs reference',
        reference === undefined ? '–' : usd(reference - e.totalCostUsd),
        reference ? `${Math.round(((reference - e.totalCostUsd) / reference) * 100)}% of ${usd(reference)}` : 'no reference model priced',
      ],
      ['judge pass rate', judged ? `${Math.round((passed / judged) * 100)}%` : '–', `${judged} verdicts`],
      ['dead letters', snapshot.deadLetters.length, snapshot.deadLetters.length ? 'see Dead letters' : 'none'],
    ];
    return `<div class="kpis">${cards.map(([label, value, sub]) => `<div class="kpi"><div class="kpi-label">${esc(label)}</div><div class="kpi-value">${value}</div><div class="kpi-sub">${esc(sub)}</div></div>`).join('')}</div>`;
  }

  function tasksTable(tasks) {
    if (tasks.length === 0) return '<p class="empty">No task seen yet. Run one: <code>npx troupe run "Ada from Paris wants a refund"</code></p>';
    const rows = tasks
      .map(
        (
          t,
        ) => `<tr data-task="${esc(t.id)}" data-status="${esc(t.status)}"><td>${badge(t.status)}</td><td><a href="${taskLink(t)}">${esc(t.id.slice(0, 13))}</a></td><td>${esc(t.pipeline)}</td><td>${esc(t.tenant)}</td>
        <td>${time(t.startedAt)}</td><td class="num">${usd(t.costUsd)}</td><td class="num">${saved(t)}</td><td class="num">${ms(t.latencyMs)}</td><td>${verdictBadge(t.verdict)}</td>
        <td class="models">${esc([...new Set(t.nodes.map((n) => n.model).filter(Boolean))].join(', '))}</td></tr>`,
      )
      .join('');
    return `<table class="tasks"><thead><tr><th>status</th><th>task</th><th>pipeline</th><th>tenant</th><th>started</th><th class="num">cost</th><th class="num">saved vs ref.</th><th class="num">latency</th><th>verdict</th><th>models</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  function tasksView() {
    // The newest task that has a plan, drawn as a graph: the overview shows a DAG at a glance.
    const latest = snapshot.tasks.find((t) => t.nodes.length > 0);
    return `${kpis()}<div class="grid two"><section class="card"><h2>Cost per task</h2>${costChart(snapshot.economics.costSeries.slice(-60), 720, 200)}</section>
      <section class="card"><h2>Calls per model</h2>${donut(
        snapshot.economics.callsByModel.map((m) => ({ label: `${m.model} (${m.tier})`, value: m.calls })),
        'calls per model',
      )}</section></div>
      ${latest ? `<section class="card"><h2>Latest task <a href="${taskLink(latest)}">${esc(latest.id)}</a> <small>${esc(latest.pipeline)} · ${esc(latest.status)}</small></h2><div class="dag-wrap">${dag(latest)}</div></section>` : ''}
      <section class="card"><h2>Tasks <small>live</small></h2>${tasksTable(snapshot.tasks)}</section>`;
  }

  function taskView(tenant, id) {
    const task = snapshot.tasks.find((t) => t.id === id && t.tenant === tenant);
    if (!task)
      return `<section class="card"><h2>Task ${esc(id)}</h2><p class="empty">Not seen yet — it appears as soon as its first event or record arrives.</p></section>`;
    const trace = task.traceId
      ? snapshot.traceUrl
        ? `<a class="trace" href="${esc(snapshot.traceUrl.replace('{traceId}', task.traceId))}" target="_blank" rel="noreferrer">trace ${esc(task.traceId)}</a>`
        : `<span class="trace" title="trace id">trace ${esc(task.traceId)}</span>`
      : '<span class="trace muted">no trace id</span>';
    const facts = [
      ['status', badge(task.status)],
      ['pipeline', esc(task.pipeline)],
      ['tenant', esc(task.tenant)],
      ['cost', usd(task.costUsd)],
      ['saved vs reference', saved(task)],
      ['latency', ms(task.latencyMs)],
      ['verdict', verdictBadge(task.verdict)],
    ];
    const loading = task.loading
      ? `<div class="loading">loading ${esc(task.loading.model)} <progress value="${task.loading.progress}" max="1"></progress></div>`
      : '';
    const nodeRows = task.nodes
      .map(
        (
          n,
        ) => `<tr><td><b>${esc(n.id)}</b></td><td>${esc(n.skill)}</td><td>${esc(n.models.join(' → ') || '–')}</td><td class="num">${n.attempts}</td><td class="num">${n.escalations}</td>
        <td class="num">${n.tokensIn}/${n.tokensOut}</td><td class="num">${n.cacheHits}</td><td class="num">${usd(n.costUsd)}</td><td class="num">${ms(n.latencyMs)}</td><td>${verdictBadge(n.verdict)}</td>
        <td class="reasons-cell">${esc([...n.reasons, ...(n.error ? [n.error] : [])].join('; ') || '–')}</td></tr>`,
      )
      .join('');
    const nodesTable = `<table class="nodes"><thead><tr><th>node</th><th>skill</th><th>models tried</th><th class="num">attempts</th><th class="num">escalations</th><th class="num">tokens in/out</th><th class="num">cache hits</th><th class="num">cost</th><th class="num">latency</th><th>verdict</th><th>reasons</th></tr></thead><tbody>${nodeRows}</tbody></table>`;
    return `<section class="card task-head" data-task="${esc(task.id)}"><div class="crumbs"><a href="#tasks">Tasks</a> / ${esc(task.id)} ${trace}</div>
      <dl class="facts">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`).join('')}</dl>${loading}${task.error ? `<p class="error">${esc(task.error)}</p>` : ''}</section>
      <section class="card"><h2>Graph <small>nodes update as events arrive</small></h2><div class="dag-wrap">${dag(task)}</div></section>
      <section class="card"><h2>Nodes</h2>${nodesTable}</section>`;
  }

  function economicsView() {
    const e = snapshot.economics;
    const rates = e.passRates.map((r) => ({
      label: `${r.skill} · ${r.model}`,
      value: r.judged ? r.passed / r.judged : 0,
      detail: `${r.passed}/${r.judged}`,
    }));
    const choices = e.routerChoices.length
      ? `<table><thead><tr><th>skill</th><th>model now</th><th>last routed</th></tr></thead><tbody>${e.routerChoices.map((c) => `<tr><td>${esc(c.skill)}</td><td>${esc(c.model)}</td><td>${time(c.at)}</td></tr>`).join('')}</tbody></table>`
      : '<p class="empty">No routed call yet.</p>';
    return `${kpis()}<section class="card"><h2>Cost per task over time <small>against every node on the reference model</small></h2>${costChart(e.costSeries, 960, 260)}</section>
      <div class="grid two"><section class="card"><h2>Calls per model</h2>${donut(
        e.callsByModel.map((m) => ({ label: m.model, value: m.calls })),
        'calls per model',
      )}</section>
      <section class="card"><h2>Calls per tier</h2>${donut(
        e.callsByTier.map((t) => ({ label: t.tier, value: t.calls })),
        'calls per tier',
      )}</section></div>
      <div class="grid two"><section class="card"><h2>Judge pass rate per skill and model</h2>${bars(rates)}</section>
      <section class="card"><h2>Router's current choice per skill</h2>${choices}</section></div>`;
  }

  function servicesView() {
    const services = snapshot.services ?? [];
    if (services.length === 0) return '<section class="card"><p class="empty">No Troupe service answers $SRV.STATS.</p></section>';
    const cards = services
      .map((s) => {
        const endpoints = s.endpoints
          .map(
            (e) =>
              `<tr><td>${esc(e.name)}</td><td><code>${esc(e.subject)}</code></td><td class="num">${e.requests}</td><td class="num ${e.errors ? 'bad' : ''}">${e.errors}</td><td class="num">${ms(e.p50Ms)}</td></tr>`,
          )
          .join('');
        return `<section class="card service" data-service="${esc(s.name)}"><h2>${esc(s.name.replace('troupe-', ''))} <small>${esc(s.id.slice(-8))} · v${esc(s.version)}</small></h2>
          <div class="service-figures"><span><b>${s.inFlight}</b> in flight</span><span><b>${s.tokensPerSecond === undefined ? '–' : s.tokensPerSecond.toFixed(1)}</b> tokens/s</span><span>loaded: <b>${esc(s.loadedModels.join(', ') || '–')}</b></span></div>
          ${s.models.length ? `<div class="muted">models: ${esc(s.models.join(', '))}</div>` : ''}
          <table><thead><tr><th>endpoint</th><th>subject</th><th class="num">requests</th><th class="num">errors</th><th class="num">p50</th></tr></thead><tbody>${endpoints}</tbody></table></section>`;
      })
      .join('');
    return `<div class="grid services">${cards}</div>`;
  }

  function deadLettersView() {
    const letters = snapshot.deadLetters;
    if (letters.length === 0) return '<section class="card"><h2>Dead letters</h2><p class="empty">No dead-lettered task.</p></section>';
    return `<section class="card"><h2>Dead letters</h2><table><thead><tr><th>when</th><th>tenant</th><th>task</th><th>code</th><th>reason</th><th class="num">deliveries</th></tr></thead><tbody>${letters
      .map(
        (l) =>
          `<tr><td>${time(l.deadAt)}</td><td>${esc(l.tenant)}</td><td>${esc(l.taskId)}</td><td><span class="verdict fail">${esc(l.code)}</span></td><td>${esc(l.reason)}</td><td class="num">${l.deliveries}</td></tr>`,
      )
      .join('')}</tbody></table></section>`;
  }

  function render() {
    const [view, ...rest] = (location.hash.replace(/^#/, '') || 'tasks').split('/');
    const html =
      view === 'task'
        ? taskView(decodeURIComponent(rest[0] ?? ''), decodeURIComponent(rest[1] ?? ''))
        : view === 'economics'
          ? economicsView()
          : view === 'services'
            ? servicesView()
            : view === 'dead-letters'
              ? deadLettersView()
              : tasksView();
    main.innerHTML = html;
    document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === (view === 'task' ? 'tasks' : view)));
  }

  function connect() {
    const source = new EventSource(`${base}/events`);
    source.addEventListener('snapshot', (message) => {
      snapshot = JSON.parse(message.data);
      live.textContent = `live · ${time(snapshot.generatedAt)}`;
      live.className = 'live on';
      render();
    });
    source.onerror = () => {
      live.textContent = 'reconnecting…';
      live.className = 'live off';
    };
  }

  window.addEventListener('hashchange', render);
  render();
  connect();
})();
