// The control-room dashboard page: counts, charts, overdue and latest
// complaints, refreshed every few seconds. Plain browser JavaScript, no build
// step; the only library is Chart.js, served by the dashboard itself.
// Every word comes from /dashboard/api/i18n (locales/<lang>/dashboard.json and
// the existing labels); text is only ever set with textContent.
'use strict';

(() => {
  const PAGE_SIZE = 20;
  const TIME_ZONE = 'Asia/Kolkata';
  const LOCALES = { hi: 'hi-IN', en: 'en-IN' };
  const DIMENSIONS = ['status', 'category', 'department', 'channel'];
  const COLORS = { status: '#0b6e4f', category: '#1f5f99', department: '#8a5a00', channel: '#6b3fa0' };

  const params = new URLSearchParams(location.search);
  const app = {
    lang: 'hi',
    strings: {},
    labels: { status: {}, category: {}, block: {}, role: {}, district: '' },
    meta: undefined,
    filters: { dept: params.get('dept') || '', from: params.get('from') || '', to: params.get('to') || '' },
    period: 'today',
    page: 1,
    data: { summary: undefined, overdue: undefined, latest: undefined },
    ticket: undefined,
    charts: {},
    timer: undefined,
    seq: 0,
    refreshes: 0,
    stopped: false,
  };

  /** A 401 from the server: the page shows the refusal instead of the board. */
  class Unauthorized extends Error {
    constructor(reason) {
      super(`unauthorized: ${reason}`);
      this.reason = reason;
    }
  }

  const $ = (id) => document.getElementById(id);

  // ---- words --------------------------------------------------------------

  /** The page's word for a key (`dashboard.…`), with {{name}} parameters filled in. */
  function t(key, values) {
    const find = (k) => {
      let node = { dashboard: app.strings };
      for (const part of k.split('.')) node = node && typeof node === 'object' ? node[part] : undefined;
      return node;
    };
    // A count picks the key's plural form, as i18next does on the server ("1 घंटा", "3 घंटे").
    let node = find(key);
    if (typeof node !== 'string' && values && typeof values.count === 'number') {
      node = find(`${key}_${new Intl.PluralRules(app.lang).select(values.count)}`);
      if (typeof node !== 'string') node = find(`${key}_other`);
    }
    if (typeof node !== 'string') return key;
    return node.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) =>
      values && values[name] !== undefined ? String(values[name]) : '',
    );
  }

  function applyWords(root) {
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  }

  async function loadWords(lang) {
    const res = await fetch(`api/i18n?lang=${encodeURIComponent(lang)}`, { cache: 'no-store' });
    if (!res.ok) throw new Error(`i18n ${res.status}`);
    const body = await res.json();
    app.lang = body.lang;
    app.strings = body.strings;
    app.labels = body.labels;
    document.documentElement.lang = app.lang;
    applyWords(document);
    for (const b of document.querySelectorAll('.lang'))
      b.setAttribute('aria-pressed', String(b.dataset.lang === app.lang));
    $('subtitle').textContent = t('dashboard.subtitle', { district: app.labels.district });
  }

  const statusLabel = (s) => app.labels.status[s] || s;
  const categoryLabel = (c) => app.labels.category[c] || c;
  const channelLabel = (c) => (app.strings.channel && app.strings.channel[c]) || c;
  const roleLabel = (r) => app.labels.role[r] || r;
  function departmentLabel(code) {
    const d = app.meta && app.meta.departments.find((x) => x.code === code);
    return d ? d.name[app.lang] : code;
  }
  function actionLabel(a) {
    const actions = app.strings.history && app.strings.history.action;
    return (actions && actions[a]) || a;
  }

  function dateTime(iso) {
    return new Intl.DateTimeFormat(LOCALES[app.lang], {
      timeZone: TIME_ZONE,
      day: 'numeric',
      month: 'short',
      hour: 'numeric',
      minute: '2-digit',
    }).format(new Date(iso));
  }

  function clockTime(iso) {
    return new Intl.DateTimeFormat(LOCALES[app.lang], {
      timeZone: TIME_ZONE,
      hour: 'numeric',
      minute: '2-digit',
      second: '2-digit',
    }).format(new Date(iso));
  }

  function number(n) {
    return new Intl.NumberFormat(LOCALES[app.lang]).format(n);
  }

  /** A length of time in minutes, in words. */
  function duration(minutes) {
    const m = Math.max(0, Math.floor(minutes));
    const unit = (name, count) => t(`dashboard.duration.${name}`, { count });
    if (m < 60) return unit('minute', m);
    if (m < 48 * 60)
      return t('dashboard.duration.hours', {
        hours: unit('hour', Math.floor(m / 60)),
        minutes: unit('minute', m % 60),
      });
    return t('dashboard.duration.days', {
      days: unit('day', Math.floor(m / 1440)),
      hours: unit('hour', Math.floor((m % 1440) / 60)),
    });
  }

  /** Minutes between two instants given by the server (the page never trusts its own clock). */
  function minutesBetween(fromIso, toIso) {
    return (new Date(toIso).getTime() - new Date(fromIso).getTime()) / 60000;
  }

  // ---- helpers ------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function store(op, key, value) {
    try {
      if (op === 'get') return localStorage.getItem(`dashboard.${key}`);
      localStorage.setItem(`dashboard.${key}`, value);
    } catch {
      // Private windows may refuse storage; the page works without it.
    }
    return null;
  }

  async function getJson(path) {
    const res = await fetch(path, { cache: 'no-store', credentials: 'same-origin' });
    if (res.status === 401) {
      const body = await res.json().catch(() => ({}));
      throw new Unauthorized(body.reason || 'missing');
    }
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  }

  function filterQuery() {
    const q = new URLSearchParams();
    if (app.filters.dept) q.set('dept', app.filters.dept);
    if (app.filters.from) q.set('from', app.filters.from);
    if (app.filters.to) q.set('to', app.filters.to);
    return q;
  }

  /** Keep language and filters in the address, so a reload shows the same board. */
  function saveAddress() {
    const q = filterQuery();
    q.set('lang', app.lang);
    history.replaceState(null, '', `./?${q.toString()}`);
  }

  // ---- login and refusal --------------------------------------------------

  /** Use the one-time link's token (sent by POST, so link previews that only GET cannot use it up). */
  async function useLoginLink() {
    const token = params.get('token') || '';
    const res = await fetch('api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
      credentials: 'same-origin',
    });
    const body = await res.json().catch(() => ({}));
    // The token leaves the address bar and the history whatever the answer.
    params.delete('token');
    history.replaceState(null, '', `./?${params.toString()}`);
    if (!res.ok) throw new Unauthorized(body.reason || 'invalid');
    return body.language;
  }

  function showRefused(reason) {
    app.stopped = true;
    clearTimeout(app.timer);
    app.refusedReason = reason;
    $('board').hidden = true;
    $('loading').hidden = true;
    $('viewer').hidden = true;
    $('sign-out').hidden = true;
    if ($('ticket').open) $('ticket').close();
    $('refused-reason').textContent = t(`dashboard.refused.reason.${reason}`);
    $('refused').hidden = false;
    document.body.dataset.ready = 'refused';
  }

  // ---- the board ----------------------------------------------------------

  function fillDepartments() {
    const select = $('f-dept');
    select.replaceChildren(el('option', '', t('dashboard.filters.all_departments')));
    select.firstChild.value = '';
    for (const d of app.meta.departments) {
      const option = el('option', '', d.name[app.lang]);
      option.value = d.code;
      select.append(option);
    }
    select.value = app.filters.dept;
  }

  function showViewer() {
    const v = app.meta.viewer;
    $('viewer').textContent = t('dashboard.signed_in_as', { name: v.name, role: roleLabel(v.role) });
    $('viewer').hidden = false;
    $('sign-out').hidden = false;
  }

  function exportLink() {
    const q = filterQuery();
    q.set('lang', app.lang);
    $('export').href = `api/export.csv?${q.toString()}`;
  }

  function renderKpis() {
    const s = app.data.summary;
    $('kpi-today').textContent = number(s.today.total);
    $('kpi-week').textContent = number(s.week.total);
    $('kpi-open').textContent = number(s.open);
    $('kpi-overdue').textContent = number(s.overdue);
    if (s.failedNotices !== undefined) $('kpi-failed').textContent = number(s.failedNotices);
  }

  /** Keys to chart for a dimension: every known one (zeros too), then any the data adds. */
  function keysOf(dim, tally) {
    const known =
      dim === 'status'
        ? app.meta.statuses
        : dim === 'category'
          ? app.meta.categories
          : dim === 'department'
            ? app.meta.departments.map((d) => d.code)
            : app.meta.channels;
    return [...known, ...Object.keys(tally).filter((k) => !known.includes(k))];
  }

  function labelOf(dim, key) {
    if (dim === 'status') return statusLabel(key);
    if (dim === 'category') return categoryLabel(key);
    if (dim === 'department') return departmentLabel(key);
    return channelLabel(key);
  }

  /** Long labels on two lines, so a phone keeps room for the bars. */
  function wrap(label) {
    if (label.length <= 18 || !label.includes(' ')) return label;
    const words = label.split(' ');
    const lines = [''];
    for (const w of words) {
      const last = lines.length - 1;
      if (lines[last] && (lines[last] + ' ' + w).length > 18 && lines.length < 3) lines.push(w);
      else lines[last] = lines[last] ? `${lines[last]} ${w}` : w;
    }
    return lines;
  }

  function renderCharts() {
    const s = app.data.summary;
    if (app.period === 'range' && !s.range) app.period = 'today';
    const rangeButton = document.querySelector('.period[data-period="range"]');
    rangeButton.hidden = !s.range;
    for (const b of document.querySelectorAll('.period'))
      b.setAttribute('aria-pressed', String(b.dataset.period === app.period));
    const b = s[app.period];
    $('period-empty').hidden = b.total > 0;
    const tallies = { status: b.byStatus, category: b.byCategory, department: b.byDepartment, channel: b.byChannel };
    for (const dim of DIMENSIONS) {
      const card = document.querySelector(`.chart-card[data-dim="${dim}"]`);
      const keys = keysOf(dim, tallies[dim]);
      const labels = keys.map((k) => labelOf(dim, k));
      const values = keys.map((k) => tallies[dim][k] || 0);

      const list = card.querySelector('.counts');
      list.replaceChildren();
      keys.forEach((k, i) => {
        if (!values[i]) return;
        const li = el('li', '');
        li.dataset.key = k;
        li.append(el('span', '', `${labels[i]}: `), el('strong', '', number(values[i])));
        list.append(li);
      });

      const canvas = card.querySelector('canvas');
      canvas.setAttribute(
        'aria-label',
        `${t(`dashboard.chart.${dim}`)}: ${keys.map((k, i) => `${labels[i]} ${values[i]}`).join(', ')}`,
      );
      if (!window.Chart) continue;
      card.querySelector('.chart-box').style.height = `${Math.max(140, keys.length * 32 + 40)}px`;
      const chart = app.charts[dim];
      if (chart) {
        chart.data.labels = labels.map(wrap);
        chart.data.datasets[0].data = values;
        chart.data.datasets[0].label = t('dashboard.chart.count');
        chart.update('none');
      } else {
        app.charts[dim] = new window.Chart(canvas, {
          type: 'bar',
          data: {
            labels: labels.map(wrap),
            datasets: [
              {
                label: t('dashboard.chart.count'),
                data: values,
                backgroundColor: COLORS[dim],
                borderRadius: 4,
                maxBarThickness: 26,
              },
            ],
          },
          options: {
            indexAxis: 'y',
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            plugins: { legend: { display: false } },
            scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } },
          },
        });
      }
    }
  }

  /** A ticket's reference as a button that opens its history. */
  function refCell(ref) {
    const td = el('td', '');
    td.dataset.label = t('dashboard.col.ref');
    const button = el('button', 'ref', ref);
    button.type = 'button';
    button.dataset.ref = ref;
    td.append(button);
    return td;
  }

  function cell(labelKey, text, className) {
    const td = el('td', className || '', text);
    td.dataset.label = t(labelKey);
    return td;
  }

  function ticketRow(ref, cells) {
    const tr = el('tr', '');
    tr.dataset.ref = ref;
    tr.append(refCell(ref), ...cells);
    return tr;
  }

  function renderOverdue() {
    const o = app.data.overdue;
    const body = $('overdue-table').querySelector('tbody');
    body.replaceChildren(
      ...o.items.map((x) =>
        ticketRow(x.ref, [
          cell('dashboard.col.category', categoryLabel(x.category)),
          cell('dashboard.col.department', departmentLabel(x.department)),
          cell('dashboard.col.level', t('dashboard.level', { level: x.level })),
          cell('dashboard.col.age', duration(x.ageMinutes)),
          cell('dashboard.col.late', `${duration(x.lateMinutes)} · ${t(`dashboard.late.${x.late}`)}`, 'late-text'),
        ]),
      ),
    );
    $('overdue-table').hidden = o.items.length === 0;
    $('overdue-empty').hidden = o.items.length > 0;
    $('overdue-count').textContent = number(o.total);
    $('overdue-more').hidden = o.total <= o.items.length;
    $('overdue-more').textContent = t('dashboard.overdue.shown', {
      shown: number(o.items.length),
      total: number(o.total),
    });
  }

  function renderLatest() {
    const l = app.data.latest;
    const body = $('latest-table').querySelector('tbody');
    body.replaceChildren(
      ...l.items.map((x) =>
        ticketRow(x.ref, [
          cell('dashboard.col.created', dateTime(x.createdAt)),
          cell('dashboard.col.category', categoryLabel(x.category)),
          cell('dashboard.col.department', departmentLabel(x.department)),
          cell('dashboard.col.status', statusLabel(x.status)),
          cell('dashboard.col.channel', channelLabel(x.intake)),
        ]),
      ),
    );
    const pages = Math.max(1, Math.ceil(l.total / l.size));
    $('latest-table').hidden = l.items.length === 0;
    $('latest-empty').hidden = l.items.length > 0;
    $('page-info').textContent = t('dashboard.latest.page', { page: number(l.page), pages: number(pages) });
    $('page-prev').disabled = l.page <= 1;
    $('page-next').disabled = l.page >= pages;
  }

  function renderStatus() {
    const seconds = Math.round(app.meta.pollMs / 1000);
    $('updated').textContent = t('dashboard.status.updated', { time: clockTime(app.data.summary.now), seconds });
  }

  function render() {
    if (!app.data.summary) return;
    renderKpis();
    renderCharts();
    renderOverdue();
    renderLatest();
    renderStatus();
    exportLink();
  }

  /** Fetch everything the board shows, all at once; an answer older than a newer request is dropped. */
  async function refresh() {
    const seq = ++app.seq;
    const q = filterQuery().toString();
    const page = new URLSearchParams(q);
    page.set('page', String(app.page));
    page.set('size', String(PAGE_SIZE));
    const [summary, overdue, latest] = await Promise.all([
      getJson(`api/summary?${q}`),
      getJson(`api/overdue?${q}`),
      getJson(`api/tickets?${page.toString()}`),
    ]);
    if (seq !== app.seq || app.stopped) return;
    // A page past the end (tickets filtered away) goes back to the last one.
    if (latest.items.length === 0 && latest.page > 1 && latest.total > 0) {
      app.page = Math.ceil(latest.total / latest.size);
      return refresh();
    }
    app.data = { summary, overdue, latest };
    render();
    $('offline').hidden = true;
    app.refreshes += 1;
    document.body.dataset.refreshes = String(app.refreshes);
  }

  function schedule() {
    clearTimeout(app.timer);
    if (!app.stopped) app.timer = setTimeout(tick, app.meta.pollMs);
  }

  async function tick() {
    if (app.stopped) return;
    if (document.hidden) return schedule();
    try {
      await refresh();
    } catch (err) {
      if (err instanceof Unauthorized) return showRefused(err.reason);
      $('offline').hidden = false;
    }
    schedule();
  }

  /** Refresh now (after a filter or page change), then go on polling. */
  function refreshNow() {
    clearTimeout(app.timer);
    return tick();
  }

  // ---- one ticket ---------------------------------------------------------

  function field(dl, key, value) {
    if (value === undefined || value === null || value === '') return;
    dl.append(el('dt', '', t(`dashboard.ticket.field.${key}`)), el('dd', '', String(value)));
  }

  function whoText(by) {
    if (by.kind === 'staff') {
      const role = by.role ? roleLabel(by.role) : '';
      return by.name
        ? t('dashboard.history.by_staff', { name: by.name, role })
        : t('dashboard.history.by_staff_role', { role });
    }
    return t(`dashboard.history.by_${by.kind === 'citizen' ? 'citizen' : 'system'}`);
  }

  function renderTicket() {
    const x = app.ticket;
    if (!x) return;
    $('ticket-title').textContent = x.ref;
    $('ticket-note').textContent = x.late ? t(`dashboard.late.${x.late}`) : '';
    $('ticket-note').classList.toggle('late-text', !!x.late);
    $('ticket-note').hidden = !x.late;
    const dl = $('ticket-fields');
    dl.replaceChildren();
    field(dl, 'status', statusLabel(x.status));
    field(dl, 'category', categoryLabel(x.category));
    field(dl, 'department', departmentLabel(x.department));
    field(dl, 'officer', x.assignedTo);
    field(dl, 'level', x.level);
    field(dl, 'channel', channelLabel(x.intake));
    field(dl, 'language', app.strings.lang && app.strings.lang[x.language]);
    field(dl, 'place', [x.block && (app.labels.block[x.block] || x.block), x.locality].filter(Boolean).join(', '));
    field(
      dl,
      'description',
      x.photos ? `${x.description}\n${t('dashboard.ticket.photos', { count: x.photos })}` : x.description,
    );
    field(dl, 'created', dateTime(x.createdAt));
    field(dl, 'ack_due', dateTime(x.ackDueAt));
    field(dl, 'acknowledged', x.acknowledgedAt && dateTime(x.acknowledgedAt));
    field(dl, 'resolve_due', dateTime(x.resolveDueAt));
    field(dl, 'resolved', x.resolvedAt && dateTime(x.resolvedAt));
    field(dl, 'closed', x.closedAt && dateTime(x.closedAt));
    field(dl, 'escalated', x.escalatedAt && dateTime(x.escalatedAt));
    field(dl, 'reopened', x.reopenCount || undefined);
    field(dl, 'rating', x.feedback && t('dashboard.ticket.rating', { rating: x.feedback.rating }));
    field(dl, 'updated', dateTime(x.updatedAt));

    const list = $('ticket-history');
    list.replaceChildren(
      ...x.history.map((h) => {
        const li = el('li', '');
        li.dataset.action = h.action;
        const time = el('time', '', dateTime(h.at));
        time.dateTime = h.at;
        const what = [actionLabel(h.action)];
        if (h.to && h.from !== h.to) what.push(`(${statusLabel(h.to)})`);
        if (h.department)
          what.push(t('dashboard.history.to_department', { department: departmentLabel(h.department) }));
        if (h.officer) what.push(t('dashboard.history.to_officer', { officer: h.officer }));
        li.append(time, el('strong', '', what.join(' ')), el('span', '', ` — ${whoText(h.by)}`));
        // A telephone complaint's first line records the line it came in on: shown in words.
        const reasons = app.labels.escalationReason || {};
        const note =
          h.action === 'created' && app.strings.channel && app.strings.channel[h.text]
            ? channelLabel(h.text)
            : h.action === 'escalate' && reasons[h.text]
              ? reasons[h.text]
              : h.text;
        if (note) li.append(el('p', 'step-text', note));
        return li;
      }),
    );
  }

  async function openTicket(ref) {
    const dialog = $('ticket');
    app.ticket = undefined;
    $('ticket-title').textContent = ref;
    $('ticket-note').textContent = t('dashboard.ticket.loading');
    $('ticket-note').classList.remove('late-text');
    $('ticket-note').hidden = false;
    $('ticket-fields').replaceChildren();
    $('ticket-history').replaceChildren();
    if (!dialog.open) dialog.showModal();
    try {
      app.ticket = await getJson(`api/tickets/${encodeURIComponent(ref)}`);
      renderTicket();
      dialog.dataset.loaded = ref;
    } catch (err) {
      if (err instanceof Unauthorized) return showRefused(err.reason);
      $('ticket-note').textContent = t('dashboard.ticket.not_found');
    }
  }

  // ---- wiring -------------------------------------------------------------

  function wire() {
    $('filters').addEventListener('submit', (event) => {
      event.preventDefault();
      const from = $('f-from').value;
      const to = $('f-to').value;
      const bad = !!(from && to && to < from);
      $('filter-error').hidden = !bad;
      if (bad) return;
      app.filters = { dept: $('f-dept').value, from, to };
      app.page = 1;
      if (from || to) app.period = 'range';
      saveAddress();
      exportLink();
      void refreshNow();
    });
    $('f-clear').addEventListener('click', () => {
      $('f-dept').value = '';
      $('f-from').value = '';
      $('f-to').value = '';
      $('filter-error').hidden = true;
      app.filters = { dept: '', from: '', to: '' };
      app.page = 1;
      app.period = 'today';
      saveAddress();
      exportLink();
      void refreshNow();
    });
    for (const b of document.querySelectorAll('.period')) {
      b.addEventListener('click', () => {
        app.period = b.dataset.period;
        renderCharts();
      });
    }
    $('page-prev').addEventListener('click', () => {
      app.page = Math.max(1, app.page - 1);
      void refreshNow();
    });
    $('page-next').addEventListener('click', () => {
      app.page += 1;
      void refreshNow();
    });
    for (const id of ['overdue-table', 'latest-table']) {
      $(id).addEventListener('click', (event) => {
        const row = event.target.closest('tr[data-ref]');
        if (row) void openTicket(row.dataset.ref);
      });
    }
    $('ticket-close').addEventListener('click', () => $('ticket').close());
    // A tap on the dimmed backdrop closes the dialog too.
    $('ticket').addEventListener('click', (event) => {
      if (event.target === $('ticket')) $('ticket').close();
    });
    $('sign-out').addEventListener('click', async () => {
      await fetch('api/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
      showRefused('signed_out');
    });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && app.meta && !app.stopped) void refreshNow();
    });
  }

  function wireLanguage() {
    for (const b of document.querySelectorAll('.lang')) {
      b.addEventListener('click', async () => {
        await loadWords(b.dataset.lang);
        store('set', 'lang', app.lang);
        if (app.refusedReason) {
          $('refused-reason').textContent = t(`dashboard.refused.reason.${app.refusedReason}`);
          return;
        }
        if (!app.meta) return;
        saveAddress();
        fillDepartments();
        showViewer();
        render();
        renderTicket();
      });
    }
  }

  async function main() {
    const onLogin = /\/login$/.test(location.pathname);
    const chosen = params.get('lang') || store('get', 'lang');
    await loadWords(chosen || 'hi');
    wireLanguage();
    try {
      if (onLogin) {
        const language = await useLoginLink();
        // First visit: the page speaks the language the person uses with the bot.
        if (!chosen && language && language !== app.lang) await loadWords(language);
      }
      app.meta = await getJson('api/meta');
      if (app.filters.from || app.filters.to) app.period = 'range';
      fillDepartments();
      $('f-from').value = app.filters.from;
      $('f-to').value = app.filters.to;
      showViewer();
      wire();
      $('no-charts').hidden = !!window.Chart;
      if (window.Chart) {
        window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
        window.Chart.defaults.color = '#1d2321';
      }
      $('loading').hidden = true;
      $('board').hidden = false;
      await refresh();
      saveAddress();
      document.body.dataset.ready = 'true';
      schedule();
    } catch (err) {
      if (err instanceof Unauthorized) return showRefused(err.reason);
      throw err;
    }
  }

  main().catch((err) => {
    console.warn('dashboard failed to start', err);
    $('loading').hidden = true;
    $('offline').hidden = false;
    $('board').hidden = false;
    document.body.dataset.ready = 'failed';
  });
})();
