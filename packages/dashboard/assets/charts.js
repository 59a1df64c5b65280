// Troupe dashboard charts: small SVG builders (strings), no library. Loaded before app.js.
'use strict';
(function () {
  const esc = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const PALETTE = ['#2f7bf6', '#f08c2e', '#23a26d', '#a35bd6', '#e0475b', '#16a2b8', '#8c8c2a', '#6b7a90'];
  // Three significant digits below $1 (local models cost fractions of a cent), cents above.
  const usd = (value) =>
    value === undefined || value === null
      ? '–'
      : value === 0
        ? '$0'
        : Math.abs(value) < 1
          ? `$${Number(value.toPrecision(3))}`
          : `$${value.toFixed(2)}`;
  const time = (at) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

  /** Cost per finished task (solid) against what the reference model would have cost (dashed). */
  function costChart(series, width = 720, height = 240) {
    if (series.length === 0) return '<p class="empty">No finished task yet.</p>';
    const pad = { left: 64, right: 16, top: 16, bottom: 34 };
    // A round top (1, 2 or 5 × 10^n) so the ticks read as round figures.
    const top = Math.max(1e-9, ...series.map((p) => Math.max(p.costUsd, p.referenceCostUsd ?? 0))) * 1.05;
    const magnitude = 10 ** Math.floor(Math.log10(top));
    const max = [1, 2, 5, 10].find((f) => f * magnitude >= top) * magnitude;
    const x = (i) =>
      pad.left + (series.length === 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (series.length - 1));
    const y = (v) => pad.top + (1 - v / max) * (height - pad.top - pad.bottom);
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
    const grid = ticks
      .map(
        (v) =>
          `<line class="grid" x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}"/><text class="tick" x="${pad.left - 8}" y="${y(v) + 4}" text-anchor="end">${usd(v)}</text>`,
      )
      .join('');
    const line = (key) =>
      series
        .map((p, i) => (p[key] === undefined ? null : `${x(i)},${y(p[key])}`))
        .filter(Boolean)
        .join(' ');
    const reference = series.some((p) => p.referenceCostUsd !== undefined)
      ? `<polyline class="series reference" points="${line('referenceCostUsd')}"/>` +
        series
          .map((p, i) =>
            p.referenceCostUsd === undefined
              ? ''
              : `<circle class="point reference" cx="${x(i)}" cy="${y(p.referenceCostUsd)}" r="3.5"><title>${esc(p.taskId)}: reference ${usd(p.referenceCostUsd)}</title></circle>`,
          )
          .join('')
      : '';
    const actual =
      `<polyline class="series actual" points="${line('costUsd')}"/>` +
      series
        .map(
          (p, i) =>
            `<circle class="point actual" cx="${x(i)}" cy="${y(p.costUsd)}" r="3.5"><title>${esc(p.taskId)}: ${usd(p.costUsd)} at ${time(p.at)}</title></circle>`,
        )
        .join('');
    const labels = [0, series.length - 1]
      .filter((i, n, all) => all.indexOf(i) === n)
      .map((i) => `<text class="tick" x="${x(i)}" y="${height - 10}" text-anchor="${i === 0 ? 'start' : 'end'}">${time(series[i].at)}</text>`)
      .join('');
    return `<svg class="chart cost-chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="cost per task over time">${grid}${reference}${actual}${labels}</svg>
      <div class="legend"><span class="key actual"></span>actual cost per task <span class="key reference"></span>same nodes on the reference model</div>`;
  }

  /** Share of calls as a donut with a legend. */
  function donut(parts, label) {
    const total = parts.reduce((sum, part) => sum + part.value, 0);
    if (total === 0) return '<p class="empty">No model call yet.</p>';
    const r = 54,
      c = 2 * Math.PI * r;
    let offset = 0;
    const arcs = parts
      .map((part, i) => {
        const length = (part.value / total) * c;
        const arc = `<circle class="segment" r="${r}" cx="70" cy="70" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="22" stroke-dasharray="${length} ${c - length}" stroke-dashoffset="${-offset}" transform="rotate(-90 70 70)"><title>${esc(part.label)}: ${part.value}</title></circle>`;
        offset += length;
        return arc;
      })
      .join('');
    const legend = parts
      .map(
        (part, i) =>
          `<li><span class="swatch c${i % PALETTE.length}"></span>${esc(part.label)} <b>${Math.round((part.value / total) * 100)}%</b> <small>${part.value} calls</small></li>`,
      )
      .join('');
    return `<div class="donut"><svg class="chart share-chart" viewBox="0 0 140 140" role="img" aria-label="${esc(label)}">${arcs}<text x="70" y="68" text-anchor="middle" class="donut-total">${total}</text><text x="70" y="86" text-anchor="middle" class="tick">calls</text></svg><ul class="legend-list">${legend}</ul></div>`;
  }

  /** Horizontal bars in [0, 1] with a label and a figure. */
  function bars(rows) {
    if (rows.length === 0) return '<p class="empty">No verdict yet.</p>';
    const height = rows.length * 30 + 8;
    const body = rows
      .map((row, i) => {
        const y = 4 + i * 30;
        const w = Math.max(2, row.value * 300);
        const tone = row.value >= 0.9 ? 'good' : row.value >= 0.6 ? 'warn' : 'bad';
        return `<text class="bar-label" x="0" y="${y + 17}">${esc(row.label)}</text><rect class="track" x="230" y="${y + 4}" width="300" height="18" rx="4"/><rect class="bar ${tone}" x="230" y="${y + 4}" width="${w}" height="18" rx="4"><title>${esc(row.detail)}</title></rect><text class="bar-value" x="540" y="${y + 17}">${Math.round(row.value * 100)}% <tspan class="tick">${esc(row.detail)}</tspan></text>`;
      })
      .join('');
    return `<svg class="chart bars-chart" viewBox="0 0 640 ${height}" role="img" aria-label="judge pass rates">${body}</svg>`;
  }

  window.TroupeCharts = { costChart, donut, bars, esc, usd, time, PALETTE };
})();
