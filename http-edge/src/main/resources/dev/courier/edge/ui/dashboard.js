// Courier's dashboard: polls the JSON API with the tab's token and draws backlog and lag plots
// on canvases. No library, no build step; served under a CSP that allows only this origin.
'use strict';
(function () {
  const POLL_MS = 1000;        // how often members and the shown subscriptions are read
  const TOPICS_MS = 10000;     // how often the topics are listed again
  const SAMPLES = 180;         // points kept per plot (3 minutes at one a second)
  const PAGE = 100;            // subscriptions per page: each poll asks each one for its state
  const TOPIC_PAGES = 10;      // topics listed: at most this many pages of 1000
  const TOKEN_KEY = 'courier.token';

  // ---- the token: taken once from ?access_token=, kept in this tab, never left in the address
  const params = new URLSearchParams(location.search);
  if (params.has('access_token')) {
    sessionStorage.setItem(TOKEN_KEY, params.get('access_token'));
    params.delete('access_token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : ''));
  }
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  const $ = (id) => document.getElementById(id);
  const samples = new Map();    // subscription name -> {backlog: [], lag: []}

  async function api(path) {
    const headers = { 'Accept': 'application/json' };
    const t = token();
    if (t) headers['Authorization'] = 'Bearer ' + t;
    const r = await fetch(path, { headers, credentials: 'omit', cache: 'no-store' });
    if (r.status === 401 || r.status === 403) {
      const e = new Error(r.status === 401 ? 'a token with the admin grant is needed'
                                           : 'this token lacks the admin grant');
      e.auth = true;
      throw e;
    }
    if (!r.ok) {
      let detail = r.statusText;
      try { detail = (await r.json()).detail || detail; } catch (ignored) { /* not JSON */ }
      throw new Error(path + ': ' + r.status + ' ' + detail);
    }
    return r.json();
  }

  function cell(row, text, cls) {
    const td = document.createElement('td');
    td.textContent = text === undefined || text === null ? '' : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function fill(tableId, items, render) {
    const body = $(tableId).tBodies[0];
    const rows = items.map((item) => {
      const tr = document.createElement('tr');
      render(tr, item);
      return tr;
    });
    body.replaceChildren(...rows);
  }

  function count(id, text) {
    $(id).textContent = '(' + text + ')';
  }

  // ---- which page of subscriptions is shown: its token (null for the first) and the ones before
  const pages = { token: null, before: [], next: null };

  // ---- plots: the kept samples as a line ending at the right edge, scaled to the largest; the
  // canvas carries what it drew (data-latest, data-max, data-samples) for tests and tooltips
  function plot(values, color, name, kind) {
    const canvas = document.createElement('canvas');
    canvas.className = 'plot';
    canvas.dataset.subscription = name;
    canvas.dataset.kind = kind;
    canvas.dataset.samples = String(values.length);
    canvas.dataset.latest = values.length ? String(values[values.length - 1]) : '';
    canvas.dataset.max = String(values.reduce((a, b) => Math.max(a, b), 0));
    const ratio = window.devicePixelRatio || 1;
    const w = 160, h = 36;
    canvas.width = w * ratio;
    canvas.height = h * ratio;
    const g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    g.fillStyle = '#f1f3f6';
    g.fillRect(0, 0, w, h);
    const max = Math.max(Number(canvas.dataset.max), 1e-9);
    if (values.length) {
      g.strokeStyle = color;
      g.lineWidth = 1.5;
      g.beginPath();
      values.forEach((v, i) => {
        const x = w - 1 - ((values.length - 1 - i) * (w - 2)) / (SAMPLES - 1);  // newest right
        const y = h - 2 - (v / max) * (h - 6);
        if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
    }
    g.fillStyle = '#8a91a0';
    g.font = '10px system-ui, sans-serif';
    g.fillText('max ' + canvas.dataset.max, 3, 10);
    canvas.title = kind + ': latest ' + canvas.dataset.latest + ', max ' + canvas.dataset.max
      + ' over ' + values.length + ' samples';
    return canvas;
  }

  function remember(subscriptions) {
    const seen = new Set();
    for (const s of subscriptions) {
      seen.add(s.name);
      let h = samples.get(s.name);
      if (!h) { h = { backlog: [], lag: [] }; samples.set(s.name, h); }
      h.backlog.push(Number(s.backlog) || 0);
      h.lag.push(Number(s.lagSeconds) || 0);
      if (h.backlog.length > SAMPLES) { h.backlog.shift(); h.lag.shift(); }
    }
    for (const name of [...samples.keys()]) if (!seen.has(name)) samples.delete(name);
  }

  function renderMembers(m) {
    fill('members', m.members, (tr, member) => {
      cell(tr, member.address);
      cell(tr, member.status, member.status === 'up' ? '' : 'bad');
      cell(tr, member.reachable ? 'yes' : 'no', member.reachable ? '' : 'bad');
      cell(tr, (member.roles || []).join(', '));
      cell(tr, [member.address === m.self ? 'this node' : '', member.address === m.leader ? 'leader' : '']
        .filter(Boolean).join(', '), 'muted');
    });
    count('members-count', String(m.members.length));
  }

  function renderSubscriptions(page) {
    const subs = page.subscriptions;
    remember(subs);
    fill('subscriptions', subs, (tr, s) => {
      tr.dataset.subscription = s.name;
      const h = samples.get(s.name);
      cell(tr, s.name);
      cell(tr, s.topic);
      cell(tr, s.consumers, 'num');
      cell(tr, s.inFlight, 'num');
      cell(tr, s.backlog, 'num backlog');
      cell(tr, '').appendChild(plot(h.backlog, '#2f6fdf', s.name, 'backlog'));
      cell(tr, Number(s.lagSeconds).toFixed(1), 'num lag');
      cell(tr, '').appendChild(plot(h.lag, '#d9822b', s.name, 'lag'));
      cell(tr, s.delivered, 'num');
      cell(tr, s.acked, 'num');
      cell(tr, s.node, 'muted');
    });
    pages.next = page.nextPageToken || null;
    count('subscriptions-count', (pages.before.length ? 'page ' + (pages.before.length + 1) + ', '
      : '') + subs.length + (pages.next || pages.before.length ? ' on this page' : ''));
    $('next-page').disabled = !pages.next;
    $('first-page').disabled = pages.before.length === 0;
  }

  function renderTopics(topics, more) {
    fill('topics', topics, (tr, t) => {
      tr.dataset.topic = t.name;
      cell(tr, t.name);
      cell(tr, t.partitions, 'num');
      cell(tr, t.retention);
      cell(tr, t.dedupWindow);
      cell(tr, t.createdAt, 'muted');
    });
    count('topics-count', topics.length + (more ? ', more not listed' : ''));
  }

  async function listTopics() {
    const topics = [];
    let token = null;
    for (let i = 0; i < TOPIC_PAGES; i++) {
      const page = await api('/v1/topics?limit=1000'
        + (token ? '&pageToken=' + encodeURIComponent(token) : ''));
      topics.push(...page.topics);
      token = page.nextPageToken;
      if (!token) break;
    }
    topics.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    renderTopics(topics, Boolean(token));
  }

  function status(text, ok) {
    const s = $('status');
    s.textContent = text;
    s.className = 'status ' + (ok ? 'ok' : 'error');
  }

  let polls = 0;
  let topicsListedAt = -Infinity;
  async function poll() {
    try {
      const topics = Date.now() - topicsListedAt >= TOPICS_MS ? listTopics() : null;
      const [members, subs] = await Promise.all([
        api('/v1/cluster/members'),
        api('/v1/subscriptions?limit=' + PAGE
          + (pages.token ? '&pageToken=' + encodeURIComponent(pages.token) : '')),
      ]);
      renderMembers(members);
      renderSubscriptions(subs);
      if (topics) { await topics; topicsListedAt = Date.now(); }
      polls += 1;
      document.body.dataset.polls = String(polls);
      $('login').hidden = true;
      status('live', true);
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      status(e.message, false);
      if (e.auth) $('login').hidden = false;
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('use-token').addEventListener('click', () => {
      const t = $('token').value.trim();
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
      $('token').value = '';
    });
    $('next-page').addEventListener('click', () => {
      if (!pages.next) return;
      pages.before.push(pages.token);
      pages.token = pages.next;
    });
    $('first-page').addEventListener('click', () => {
      pages.before = [];
      pages.token = null;
    });
    poll();
  });
})();
