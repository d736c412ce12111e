/**
 * The dashboard's browser script. Plain JavaScript in a string (served as
 * `assets/app.js`), so it needs no build step and no bundler. Every value
 * reaches the page through `textContent` or attributes, never as HTML.
 */
export const PAGE_SCRIPT = `'use strict';
(() => {
  const STATE_LABELS = { closed: 'closed', open: 'open', half_open: 'half-open', forced_open: 'forced open', forced_closed: 'forced closed', disabled: 'disabled' };
  const ACTIONS = [['force-open', 'Force open'], ['force-closed', 'Force closed'], ['reset', 'Reset']];
  const TOKEN_KEY = 'tripswitch-dashboard-token';
  const SVG = 'http://www.w3.org/2000/svg';
  const cardsEl = document.getElementById('cards');
  const emptyEl = document.getElementById('empty');
  const summaryEl = document.getElementById('summary');
  const connectionEl = document.getElementById('connection');
  const tokenButton = document.getElementById('token-button');
  const cards = new Map();
  let historySize = 300;
  let token = takeToken();

  function takeToken() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    const fromHash = params.get('token');
    if (fromHash) {
      store(fromHash);
      history.replaceState(null, '', location.pathname + location.search);
      return fromHash;
    }
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (error) { return ''; }
  }

  function store(value) {
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (error) { /* storage may be disabled */ }
  }

  function setToken(value) {
    token = value || '';
    store(token);
    tokenButton.textContent = token ? 'Token set (change)' : 'Set token';
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function formatDuration(ms) {
    if (!(ms >= 0)) return '—';
    if (ms < 1000) return Math.round(ms) + ' ms';
    const s = ms / 1000;
    if (s < 60) return s.toFixed(1) + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' m ' + String(Math.floor(s % 60)).padStart(2, '0') + ' s';
    const h = Math.floor(m / 60);
    if (h < 24) return h + ' h ' + String(m % 60).padStart(2, '0') + ' m';
    return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
  }

  function percent(ratio) {
    return (ratio * 100).toFixed(ratio > 0 && ratio < 0.1 ? 1 : 0) + ' %';
  }

  function createCard(name) {
    const root = el('article', 'card');
    root.setAttribute('aria-label', name);
    root.dataset.name = name;
    const head = el('div', 'card-head');
    const title = el('div', 'name', name);
    title.title = name;
    const badge = el('span', 'state');
    head.append(title, badge);
    const figures = el('dl', 'figures');
    const fields = {};
    for (const [key, label] of [['failure', 'Failure rate'], ['slow', 'Slow rate'], ['calls', 'Calls/s'], ['inState', 'In state'], ['next', 'Next attempt'], ['rejected', 'Rejected']]) {
      const item = el('div');
      const value = el('dd');
      value.dataset.field = key;
      item.append(el('dt', null, label), value);
      figures.append(item);
      fields[key] = value;
    }
    const spark = document.createElementNS(SVG, 'svg');
    spark.setAttribute('class', 'spark');
    spark.setAttribute('preserveAspectRatio', 'none');
    spark.setAttribute('role', 'img');
    const failures = document.createElementNS(SVG, 'polygon');
    failures.setAttribute('class', 'failures');
    const calls = document.createElementNS(SVG, 'polyline');
    calls.setAttribute('class', 'calls');
    spark.append(failures, calls);
    const legend = el('div', 'legend');
    const span = el('span', 'span');
    legend.append(el('span', 'calls', 'calls/s'), el('span', 'failures', 'failures/s'), span);
    const actions = el('div', 'actions');
    const buttons = [];
    for (const [action, label] of ACTIONS) {
      const button = el('button', null, label);
      button.type = 'button';
      button.dataset.action = action;
      button.addEventListener('click', () => act(card, action, label));
      actions.append(button);
      buttons.push(button);
    }
    const message = el('p', 'message');
    message.setAttribute('role', 'status');
    root.append(head, figures, spark, legend, actions, message);
    const card = { name, root, badge, fields, spark, failures, calls, span, buttons, message, view: null, receivedAt: 0, history: [] };
    cardsEl.append(root);
    cards.set(name, card);
    return card;
  }

  function update(view, sample) {
    const card = cards.get(view.name) || createCard(view.name);
    const previous = card.view && card.view.state;
    card.view = view;
    card.receivedAt = Date.now();
    if (sample) {
      card.history.push(sample);
      if (card.history.length > historySize) card.history.splice(0, card.history.length - historySize);
    }
    card.root.dataset.state = view.state;
    card.badge.textContent = STATE_LABELS[view.state] || view.state;
    card.fields.failure.textContent = percent(view.window.failureRate);
    card.fields.slow.textContent = percent(view.window.slowCallRate);
    const last = card.history[card.history.length - 1];
    card.fields.calls.textContent = last ? last.calls.toFixed(1) : '—';
    card.fields.rejected.textContent = String(view.totals.rejections);
    card.spark.setAttribute('aria-label', 'calls and failures per second, ' + card.name);
    drawSparkline(card);
    tickCard(card);
    if (previous && previous !== view.state) {
      card.root.classList.add('flash');
      setTimeout(() => card.root.classList.remove('flash'), 900);
    }
  }

  function drawSparkline(card) {
    const points = card.history;
    const width = Math.max(points.length - 1, 1);
    const height = 40;
    card.spark.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    const max = Math.max(1, ...points.map((p) => p.calls));
    const y = (value) => (height - (value / max) * (height - 2)).toFixed(2);
    card.calls.setAttribute('points', points.map((p, i) => i + ',' + y(p.calls)).join(' '));
    const area = points.map((p, i) => i + ',' + y(p.failures));
    card.failures.setAttribute('points', points.length ? '0,' + height + ' ' + area.join(' ') + ' ' + (points.length - 1) + ',' + height : '');
    const seconds = points.length > 1 ? (points[points.length - 1].t - points[0].t) / 1000 : 0;
    card.span.textContent = seconds > 0 ? 'last ' + formatDuration(seconds * 1000) : 'collecting…';
  }

  function tickCard(card) {
    const view = card.view;
    if (!view) return;
    const elapsed = Date.now() - card.receivedAt;
    card.fields.inState.textContent = formatDuration(view.timeInStateMs + elapsed);
    if (view.nextAttemptInMs !== null) {
      const left = view.nextAttemptInMs - elapsed;
      card.fields.next.textContent = left > 0 ? 'in ' + formatDuration(left) : 'due';
    } else if (view.state === 'half_open') {
      card.fields.next.textContent = view.halfOpenInFlight + ' trial(s) running';
    } else {
      card.fields.next.textContent = '—';
    }
  }

  function replaceAll(views, history) {
    const names = new Set(views.map((view) => view.name));
    for (const [name, card] of cards) {
      if (!names.has(name)) {
        card.root.remove();
        cards.delete(name);
      }
    }
    for (const view of views) {
      if (history) {
        const card = cards.get(view.name) || createCard(view.name);
        card.history = (history[view.name] || []).slice(-historySize);
      }
      update(view, view.sample || null);
    }
    summarize();
  }

  function summarize() {
    const counts = {};
    for (const card of cards.values()) if (card.view) counts[card.view.state] = (counts[card.view.state] || 0) + 1;
    summaryEl.replaceChildren();
    const total = el('span', 'summary-item');
    total.append(el('b', null, String(cards.size)), document.createTextNode(cards.size === 1 ? ' breaker' : ' breakers'));
    summaryEl.append(total);
    for (const state of Object.keys(STATE_LABELS)) {
      if (!counts[state]) continue;
      const item = el('span', 'summary-item');
      item.append(el('b', null, String(counts[state])), document.createTextNode(' ' + STATE_LABELS[state]));
      summaryEl.append(item);
    }
    emptyEl.hidden = cards.size > 0;
  }

  function setMessage(card, text, isError) {
    card.message.textContent = text;
    card.message.classList.toggle('error', Boolean(isError));
  }

  async function act(card, action, label) {
    if (!token) {
      const entered = window.prompt('Dashboard token (printed when the dashboard started):');
      if (!entered) {
        setMessage(card, label + ' cancelled: no token.', true);
        return;
      }
      setToken(entered.trim());
    }
    for (const button of card.buttons) button.disabled = true;
    try {
      const response = await fetch('breakers/' + encodeURIComponent(card.name) + '/' + action, {
        method: 'POST',
        headers: { authorization: 'Bearer ' + token },
        cache: 'no-store',
      });
      const body = await response.json().catch(() => ({}));
      if (response.status === 403) {
        setToken('');
        setMessage(card, '403 Forbidden: missing or wrong token.', true);
      } else if (!response.ok) {
        setMessage(card, response.status + ': ' + (body.error || response.statusText), true);
      } else {
        update(body.breaker, null);
        summarize();
        setMessage(card, label + ': done.', false);
      }
    } catch (error) {
      setMessage(card, label + ' failed: ' + (error && error.message ? error.message : String(error)), true);
    } finally {
      for (const button of card.buttons) button.disabled = false;
    }
  }

  function connect() {
    const source = new EventSource('events');
    source.addEventListener('open', () => {
      connectionEl.dataset.status = 'live';
      connectionEl.textContent = 'live';
    });
    source.addEventListener('error', () => {
      connectionEl.dataset.status = 'offline';
      connectionEl.textContent = 'reconnecting…';
    });
    source.addEventListener('hello', (event) => {
      const data = JSON.parse(event.data);
      historySize = data.historySize || 300;
      replaceAll(data.breakers, data.history);
    });
    source.addEventListener('stats', (event) => replaceAll(JSON.parse(event.data).breakers, null));
    source.addEventListener('transition', (event) => {
      const data = JSON.parse(event.data);
      update(data.breaker, null);
      summarize();
    });
  }

  tokenButton.addEventListener('click', () => {
    const entered = window.prompt('Dashboard token (leave empty to forget it):', '');
    if (entered !== null) setToken(entered.trim());
  });
  setToken(token);
  summarize();
  setInterval(() => { for (const card of cards.values()) tickCard(card); }, 500);
  connect();
})();
`;
