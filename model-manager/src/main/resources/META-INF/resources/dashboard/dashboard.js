// Quiver's dashboard: plain JavaScript, no library, no build step, nothing from the network but the
// manager's own endpoints. It polls (fetch) rather than streaming: EventSource cannot send the
// Authorization header the manager's API needs, and a poll at the health-check interval shows every
// change the manager itself can know of.
'use strict';

const TOKEN_KEY = 'quiver.dashboard.token';
const API = {
  summary: 'api/summary',
  experiments: '../experiments',
  experiment: name => '../experiments/' + encodeURIComponent(name),
  experimentSummary: name => '../experiments/' + encodeURIComponent(name) + '/summary',
  deployments: '../get_deployed_models',
};

let refreshMs = 2000;
let timer = null;

class NeedsToken extends Error {}

/** A call to the manager: with the tab's token when there is one (behind the gateway, the browser's own sign-in is enough). */
async function api(path, options = {}) {
  const headers = Object.assign({ 'Accept': 'application/json' }, options.headers || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    headers['Authorization'] = 'Bearer ' + token;
  }
  const answer = await fetch(path, Object.assign({}, options, { headers, cache: 'no-store', credentials: 'same-origin' }));
  if (answer.status === 401) {
    throw new NeedsToken();
  }
  const body = answer.status === 204 ? null : await answer.json().catch(() => null);
  if (!answer.ok) {
    throw new Error((body && body.error) || (path + ' answered HTTP ' + answer.status));
  }
  return body;
}

/** An element with attributes and children; text is always set as text, never parsed as HTML. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function badge(text, kind = text) {
  return el('span', { class: 'badge ' + kind }, text);
}

function num(value, digits = 0) {
  return value === null || value === undefined ? '–' : Number(value).toFixed(digits);
}

function bytes(n) {
  if (!n) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return n.toFixed(i === 0 ? 0 : 1) + ' ' + units[i];
}

function replaceRows(section, rows, columns, emptyText) {
  const body = document.querySelector('#' + section + ' tbody');
  body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: columns, class: 'empty' }, emptyText))]));
}

/** Two lines over the last minutes: requests per minute (blue) and p99 (orange), each scaled to its own maximum. */
function trend(minutes) {
  const w = 120, h = 28, n = minutes.length;
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('class', 'trend');
  svg.setAttribute('width', w);
  svg.setAttribute('height', h);
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  const series = [
    { values: minutes.map(m => m.requests), colour: '#1f6feb', label: 'requests per minute' },
    { values: minutes.map(m => m.p99_ms === null ? 0 : m.p99_ms), colour: '#e36209', label: 'p99 ms' },
  ];
  const title = document.createElementNS(svgNs, 'title');
  title.textContent = 'last ' + n + ' minutes; requests/min max ' + Math.max(...series[0].values)
      + ', p99 max ' + Math.max(...series[1].values) + ' ms';
  svg.append(title);
  for (const s of series) {
    const max = Math.max(1e-9, ...s.values);
    const points = s.values.map((v, i) => `${(i * (w - 2) / Math.max(1, n - 1) + 1).toFixed(1)},${(h - 2 - v / max * (h - 4)).toFixed(1)}`);
    const line = document.createElementNS(svgNs, 'polyline');
    line.setAttribute('points', points.join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', s.colour);
    line.setAttribute('stroke-width', '1.5');
    line.setAttribute('data-series', s.label);
    svg.append(line);
  }
  return svg;
}

function renderServices(services) {
  replaceRows('services', services.map(s => {
    const h = s.health;
    // The minute under way is still filling; the one before it is the last whole minute.
    const last = s.minutes.length > 1 ? s.minutes[s.minutes.length - 2] : { requests: 0, errors: 0 };
    const now = s.minutes[s.minutes.length - 1] || {};
    const p50 = now.p50_ms ?? last.p50_ms, p99 = now.p99_ms ?? last.p99_ms;
    return el('tr', { 'data-service': s.service_id, 'data-state': h.state },
      el('td', {}, el('strong', {}, s.service_id), el('br'), el('small', {}, s.service_url)),
      el('td', {}, badge(h.state)),
      el('td', {}, badge(h.circuit_breaker)),
      el('td', { class: 'num' }, el('meter', { min: 0, max: s.max_concurrent_requests, value: h.in_flight }),
        ` ${h.in_flight} / ${s.max_concurrent_requests}`),
      el('td', { class: 'num' }, Math.max(last.requests, now.requests || 0)),
      el('td', { class: 'num' }, Math.max(last.errors, now.errors || 0)),
      el('td', { class: 'num' }, num(p50, 1)),
      el('td', { class: 'num' }, num(p99, 1)),
      el('td', {}, trend(s.minutes)),
      el('td', { class: 'error-text' }, h.last_error || ''));
  }), 10, 'No service is registered.');
}

function renderModels(services) {
  const rows = [];
  for (const s of services) {
    if (s.models_error) {
      rows.push(el('tr', { 'data-service': s.service_id }, el('td', {}, s.service_id),
        el('td', { colspan: 6, class: 'error-text' }, s.models_error)));
    }
    for (const m of s.models) {
      const residency = m.resident ? 'resident' : 'evicted';
      rows.push(el('tr', { 'data-service': s.service_id, 'data-model': m.name, 'data-version': m.version },
        el('td', {}, s.service_id), el('td', {}, m.name), el('td', {}, m.version), el('td', {}, m.model_type || ''),
        el('td', {}, badge(residency)), el('td', { class: 'num' }, bytes(m.size_bytes)), el('td', { class: 'num' }, m.in_flight)));
    }
    if (s.models.length) {
      const budget = s.memory_budget_bytes;
      rows.push(el('tr', { class: 'subtotal', 'data-service': s.service_id, 'data-memory': 'budget' },
        el('td', {}, s.service_id), el('td', { colspan: 4 }, 'memory budget used by resident versions'),
        el('td', { class: 'num' }, budget ? el('meter', { min: 0, max: budget, value: s.resident_bytes }) : null,
          ' ' + bytes(s.resident_bytes) + (budget ? ' of ' + bytes(budget) + ' (' + (100 * s.resident_bytes / budget).toFixed(1) + '%)' : '')),
        el('td')));
    }
  }
  replaceRows('models', rows, 7, 'No replica has listed its models yet (they are read each health-check interval while the page is open).');
}

/**
 * One card per experiment, kept across refreshes: the figures are redrawn, a weight being edited is
 * left as typed. A change is sent only after a second, explicit confirmation.
 */
const cards = new Map();

function renderExperiments(summaries) {
  const container = document.querySelector('#experiments .cards');
  for (const [name, card] of cards) {
    if (!summaries.some(s => s.experiment === name)) { card.remove(); cards.delete(name); }
  }
  if (!summaries.length) {
    container.replaceChildren(el('p', { class: 'empty' }, 'No experiment is running.'));
    return;
  }
  container.querySelector(':scope > p.empty')?.remove();
  for (const summary of summaries) {
    let card = cards.get(summary.experiment);
    if (!card) {
      card = experimentCard(summary.experiment);
      cards.set(summary.experiment, card);
      container.append(card);
    }
    fillExperiment(card, summary);
  }
}

function experimentCard(name) {
  const card = el('div', { class: 'card', 'data-experiment': name },
    el('h3', {}, name),
    el('table', {}, el('thead', {}, el('tr', {},
      el('th', {}, 'variant'), el('th', {}, 'weight'), el('th', {}, 'share'), el('th', {}, 'requests'),
      el('th', {}, 'errors'), el('th', {}, 'p50 ms'), el('th', {}, 'p99 ms'))), el('tbody', { class: 'variants' })),
    el('table', { class: 'shadows' }, el('thead', {}, el('tr', {},
      el('th', {}, 'shadow'), el('th', {}, 'percent'), el('th', {}, 'requests'), el('th', {}, 'errors'),
      el('th', {}, 'p99 ms'), el('th', {}, 'agreement'), el('th', {}, 'dropped'))), el('tbody')),
    el('button', { type: 'button', 'data-action': 'change-weights', 'data-experiment': name,
      onclick: () => askToConfirm(card) }, 'Change weights…'),
    el('div', { class: 'confirm', hidden: true }),
    el('p', { class: 'result', role: 'status' }));
  return card;
}

function fillExperiment(card, summary) {
  const body = card.querySelector('tbody.variants');
  for (const v of summary.variants) {
    let row = body.querySelector(`tr[data-variant="${CSS.escape(v.name)}"]`);
    if (!row) {
      row = el('tr', { 'data-variant': v.name }, el('td', {}, v.name),
        el('td', {}, el('input', { type: 'number', min: 0, max: 1000000, step: 1, 'data-experiment': summary.experiment,
          'data-variant': v.name, 'aria-label': 'weight of ' + v.name,
          oninput: e => { e.target.dataset.dirty = 'true'; } })),
        el('td', { class: 'num share' }), el('td', { class: 'num requests' }), el('td', { class: 'num errors' }),
        el('td', { class: 'num p50' }), el('td', { class: 'num p99' }));
      body.append(row);
    }
    const input = row.querySelector('input');
    // Written only when it differs, so a field the user has selected and is about to type over keeps its selection.
    if (input.dataset.dirty !== 'true' && input.value !== String(v.weight)) input.value = v.weight;
    row.querySelector('.share').textContent = (v.share * 100).toFixed(1) + '%';
    row.querySelector('.requests').textContent = v.requests;
    row.querySelector('.errors').textContent = v.errors;
    row.querySelector('.p50').textContent = num(v.latency_ms.p50, 1);
    row.querySelector('.p99').textContent = num(v.latency_ms.p99, 1);
  }
  const shadows = card.querySelector('table.shadows');
  shadows.hidden = !summary.shadow.length;
  shadows.querySelector('tbody').replaceChildren(...summary.shadow.map(s => el('tr', { 'data-shadow': s.name },
    el('td', {}, s.name), el('td', { class: 'num' }, s.percent + '%'), el('td', { class: 'num' }, s.requests),
    el('td', { class: 'num' }, s.errors), el('td', { class: 'num' }, num(s.latency_ms.p99, 1)),
    el('td', { class: 'num' }, s.agreement === null ? '–' : (s.agreement * 100).toFixed(1) + '%'),
    el('td', { class: 'num' }, s.dropped))));
}

function askToConfirm(card) {
  const name = card.dataset.experiment;
  const weights = {};
  for (const input of card.querySelectorAll('tbody.variants input')) {
    const value = Number(input.value);
    if (!Number.isInteger(value) || value < 0) {
      card.querySelector('.result').textContent = `The weight of ${input.dataset.variant} must be a whole number, 0 or more.`;
      return;
    }
    weights[input.dataset.variant] = value;
  }
  const box = card.querySelector('.confirm');
  const text = Object.entries(weights).map(([v, w]) => `${v} ${w}`).join(', ');
  box.replaceChildren(
    el('span', {}, `Send live traffic of “${name}” as ${text}? `),
    el('button', { type: 'button', 'data-action': 'confirm-weights', 'data-experiment': name,
      onclick: () => changeWeights(card, weights) }, 'Confirm'),
    ' ',
    el('button', { type: 'button', 'data-action': 'cancel-weights', onclick: () => { box.hidden = true; } }, 'Cancel'));
  box.hidden = false;
}

async function changeWeights(card, weights) {
  const name = card.dataset.experiment;
  const result = card.querySelector('.result');
  card.querySelector('.confirm').hidden = true;
  try {
    await api(API.experiment(name), { method: 'PATCH', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ weights }) });
    card.querySelectorAll('tbody.variants input').forEach(input => { delete input.dataset.dirty; });
    result.textContent = 'Weights changed.';
    result.className = 'result changed';
    refresh();
  } catch (e) {
    if (e instanceof NeedsToken) { askForToken(); return; }
    result.textContent = 'Not changed: ' + e.message;
    result.className = 'result error-text';
  }
}

function renderTraining(jobs) {
  replaceRows('training', jobs.map(({ service_id, job }) => el('tr', { 'data-job': job.job_id },
    el('td', {}, el('code', {}, job.job_id)), el('td', {}, service_id), el('td', {}, job.model_type),
    el('td', {}, job.algorithm), el('td', {}, badge(job.state), job.error ? el('div', { class: 'error-text' }, job.error) : null),
    el('td', {}, el('progress', { max: 1, value: job.progress }), ` ${Math.round(job.progress * 100)}%`,
      job.epochs ? ` (epoch ${job.epoch}/${job.epochs})` : ''),
    el('td', {}, job.version || ''))), 7, 'No training job on any trainer.');
}

function renderDeployments(deployments) {
  replaceRows('deployments', deployments.map(d => el('tr', { 'data-deployment': d.name },
    el('td', {}, d.name), el('td', {}, d.model_name), el('td', {}, d.version),
    el('td', {}, badge(d.state), d.reason ? el('div', { class: 'error-text' }, d.reason) : null), el('td', {}, d.url || ''))),
    5, 'Nothing is deployed.');
}

function renderEvents(events) {
  const list = document.querySelector('#events ol');
  list.replaceChildren(...(events.length ? events.slice().reverse().map(e => el('li', { 'data-kind': e.kind },
    el('time', { datetime: e.at }, new Date(e.at).toLocaleTimeString()), ' ', badge(e.kind, e.kind === 'registered' ? 'healthy' : e.kind === 'restored' ? 'healthy' : e.kind === 'ejected' ? 'ejected' : 'unhealthy'),
    ' ', el('strong', {}, e.service_id), e.detail ? ' – ' + e.detail : ''))
    : [el('li', { class: 'empty' }, 'Nothing has happened since the manager started.')]));
}

async function refresh() {
  clearTimeout(timer);
  const status = document.getElementById('status');
  try {
    const [summary, experiments, deployments] = await Promise.all([
      api(API.summary), api(API.experiments), api(API.deployments).catch(e => { if (e instanceof NeedsToken) throw e; return { deployments: [] }; })]);
    const summaries = await Promise.all(experiments.experiments.map(x => api(API.experimentSummary(x.name))));
    document.getElementById('token-form').hidden = true;
    document.getElementById('content').hidden = false;
    document.getElementById('forget-token').hidden = !sessionStorage.getItem(TOKEN_KEY);
    renderServices(summary.services);
    renderModels(summary.services);
    renderExperiments(summaries);
    renderTraining(summary.training_jobs);
    renderDeployments(deployments.deployments);
    renderEvents(summary.events);
    refreshMs = summary.refresh_ms;
    status.textContent = 'updated ' + new Date(summary.at).toLocaleTimeString() + ', every ' + refreshMs / 1000 + ' s';
    status.className = '';
    document.body.dataset.updated = summary.at;
  } catch (e) {
    if (e instanceof NeedsToken) { askForToken(); return; }
    status.textContent = 'could not update: ' + e.message;
    status.className = 'error';
  }
  timer = setTimeout(refresh, refreshMs);
}

function askForToken() {
  clearTimeout(timer);
  sessionStorage.removeItem(TOKEN_KEY);
  document.getElementById('content').hidden = true;
  document.getElementById('forget-token').hidden = true;
  document.getElementById('token-form').hidden = false;
  document.getElementById('status').textContent = 'the manager needs its control token';
  document.getElementById('token').focus();
}

document.getElementById('token-form').addEventListener('submit', event => {
  event.preventDefault();
  const input = document.getElementById('token');
  sessionStorage.setItem(TOKEN_KEY, input.value.trim());
  input.value = '';
  refresh();
});

document.getElementById('forget-token').addEventListener('click', askForToken);

refresh();
