// The simulator page: two chats with the real bot over the web channel's
// JSON API. Plain browser JavaScript, no build step, no dependencies.
// Every word shown comes from /sim/api/i18n (locales/<lang>/web.json) or from
// the bot's own messages; text is only ever set with textContent.
'use strict';

(() => {
  const API = '/sim/api';
  const LONG_POLL_SEC = 20;
  const SEND_ATTEMPTS = 3;
  const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
  const SHRINK_TO_PX = 1600;

  const app = {
    lang: 'hi',
    strings: {},
    config: { places: [], maxUploadBytes: 2 * 1024 * 1024, maxPollWaitSec: LONG_POLL_SEC },
    panes: [],
  };
  const params = new URLSearchParams(location.search);
  const saved = (key) => params.get(key) || safeStorage('get', key);

  // ---- words --------------------------------------------------------------

  /** The page's word for a key (`web.…`), with {{name}} parameters filled in. */
  function t(key, values) {
    let node = { web: app.strings };
    for (const part of key.split('.')) node = node && typeof node === 'object' ? node[part] : undefined;
    if (typeof node !== 'string') return key;
    return node.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) =>
      values && values[name] !== undefined ? String(values[name]) : '',
    );
  }

  function applyWords(root) {
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
    for (const el of root.querySelectorAll('[data-i18n-label]')) {
      el.setAttribute('aria-label', t(el.dataset.i18nLabel));
      el.title = t(el.dataset.i18nLabel);
    }
  }

  async function loadWords(lang) {
    const res = await fetch(`${API}/i18n?lang=${encodeURIComponent(lang)}`, { cache: 'no-store' });
    if (!res.ok) throw new Error(`i18n ${res.status}`);
    const body = await res.json();
    app.lang = body.lang;
    app.strings = body.strings;
    document.documentElement.lang = app.lang;
    applyWords(document);
    for (const b of document.querySelectorAll('.lang'))
      b.setAttribute('aria-pressed', String(b.dataset.lang === app.lang));
    for (const pane of app.panes) pane.refreshWords();
  }

  // ---- helpers ------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function newId() {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID().replace(/-/g, '');
    // Pages served on a LAN address over plain HTTP have no randomUUID.
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function safeStorage(op, key, value) {
    try {
      if (op === 'get') return localStorage.getItem(`sim.${key}`);
      localStorage.setItem(`sim.${key}`, value);
    } catch {
      // Private windows may refuse storage; the page works without it.
    }
    return null;
  }

  function fixed(n) {
    return Number(n).toFixed(5);
  }

  /** Make a phone photo small enough to upload (JPEG, longest side SHRINK_TO_PX). */
  async function shrink(file) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, SHRINK_TO_PX / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode'))), 'image/jpeg', 0.85),
    );
  }

  // ---- one chat pane --------------------------------------------------------

  class Pane {
    constructor(section) {
      this.section = section;
      this.role = section.dataset.role;
      this.chats = section.dataset.chats.split(' ');
      this.messages = [];
      this.after = 0;
      this.generation = 0;
      this.loaded = false;
      section.append(document.getElementById('pane-template').content.cloneNode(true));
      const q = (sel) => section.querySelector(sel);
      this.title = q('.pane-title');
      this.select = q('.chat-select');
      this.banner = q('.banner');
      this.log = q('.log');
      this.empty = q('.empty');
      this.emptyText = q('.empty-text');
      this.startButton = q('.start');
      this.places = q('.places');
      this.placeList = q('.place-list');
      this.form = q('.composer');
      this.input = q('.text-input');
      this.photo = q('.photo-input');
      this.tab = document.querySelector(`.tab[data-pane="${this.role}"]`);
      this.startButton.hidden = this.role !== 'citizen';

      const wanted = saved(this.role);
      this.chatId = this.chats.includes(wanted) ? wanted : this.chats[0];
      for (const id of this.chats) {
        const option = el('option');
        option.value = id;
        this.select.append(option);
      }
      this.select.value = this.chatId;

      this.select.addEventListener('change', () => this.switchChat(this.select.value));
      this.form.addEventListener('submit', (e) => {
        e.preventDefault();
        this.sendTyped();
      });
      this.startButton.addEventListener('click', () => this.start());
      q('.location-toggle').addEventListener('click', () => {
        this.places.hidden = !this.places.hidden;
      });
      q('.places-close').addEventListener('click', () => {
        this.places.hidden = true;
      });
      this.photo.addEventListener('change', () => this.sendPhoto());
    }

    refreshWords() {
      applyWords(this.section);
      this.title.textContent = t(`web.pane.${this.role}`);
      for (const option of this.select.options) option.textContent = t(`web.people.${option.value}`);
      this.emptyText.textContent = t(`web.empty.${this.role}`);
      this.placeList.replaceChildren(
        ...app.config.places.map((p) => {
          const b = el('button', 'place', t(p.label));
          b.type = 'button';
          b.dataset.place = p.id;
          b.addEventListener('click', () => {
            this.places.hidden = true;
            this.send({ kind: 'location', placeId: p.id });
          });
          return b;
        }),
      );
      this.renderAll();
    }

    switchChat(chatId) {
      this.chatId = chatId;
      safeStorage('set', this.role, chatId);
      this.messages = [];
      this.after = 0;
      this.loaded = false;
      this.renderAll();
      this.poll();
    }

    /** Read new messages for ever (long poll), until the chat is switched. */
    async poll() {
      const generation = ++this.generation;
      if (this.controller) this.controller.abort();
      let failures = 0;
      while (generation === this.generation) {
        const controller = new AbortController();
        this.controller = controller;
        try {
          const wait = Math.min(LONG_POLL_SEC, app.config.maxPollWaitSec);
          const url = `${API}/messages?chatId=${encodeURIComponent(this.chatId)}&after=${this.after}&wait=${this.loaded ? wait : 0}`;
          const res = await fetch(url, { signal: controller.signal, cache: 'no-store' });
          if (!res.ok) throw new Error(`poll ${res.status}`);
          const body = await res.json();
          if (generation !== this.generation) return;
          failures = 0;
          this.showBanner('');
          this.loaded = true;
          this.add(body.messages);
        } catch {
          if (generation !== this.generation) return;
          failures += 1;
          this.showBanner(t('web.error.offline'));
          await sleep(Math.min(1000 * failures, 5000));
        }
      }
    }

    add(list) {
      let added = false;
      for (const m of list) {
        if (m.seq <= this.after) continue;
        this.after = m.seq;
        this.messages.push(m);
        this.log.append(this.renderMessage(m));
        added = true;
        if (m.direction === 'out' && document.body.dataset.active !== this.role)
          this.tab.querySelector('.dot').hidden = false;
      }
      this.updateEmpty();
      if (added) this.log.scrollTop = this.log.scrollHeight;
    }

    renderAll() {
      this.log.replaceChildren(...this.messages.map((m) => this.renderMessage(m)));
      this.updateEmpty();
      this.log.scrollTop = this.log.scrollHeight;
    }

    updateEmpty() {
      this.empty.hidden = !this.loaded || this.messages.length > 0;
    }

    renderMessage(m) {
      const mine = m.direction === 'in';
      const item = el('li', `msg ${mine ? 'me' : 'bot'}`);
      item.dataset.seq = String(m.seq);
      const bubble = el('div', 'bubble');
      bubble.append(el('span', 'who', t(mine ? 'web.from_you' : 'web.from_bot')));
      if (mine) this.renderInput(bubble, m.input || {});
      else this.renderOutput(item, bubble, m.message || { text: '' });
      item.prepend(bubble);
      return item;
    }

    renderInput(bubble, input) {
      switch (input.kind) {
        case 'location': {
          const place = app.config.places.find((p) => p.id === input.placeId);
          const text = place
            ? t('web.sent.location', { place: t(place.label), lat: fixed(input.lat), lon: fixed(input.lon) })
            : t('web.sent.pin', { lat: fixed(input.lat), lon: fixed(input.lon) });
          bubble.append(el('p', 'text', text));
          return;
        }
        case 'contact':
          bubble.append(
            el('p', 'text', t('web.sent.contact', { phone: input.phone })),
            el('p', 'note', t('web.fake_number_note')),
          );
          return;
        case 'photo': {
          const img = el('img', 'photo');
          img.src = `${API}/files/${encodeURIComponent(input.fileId)}`;
          img.alt = t('web.photo_alt');
          img.loading = 'lazy';
          bubble.append(img, el('p', 'text', input.caption || t('web.sent.photo')));
          return;
        }
        case 'button':
          bubble.append(el('p', 'text', input.label || ''));
          return;
        default:
          bubble.append(el('p', 'text', input.text || ''));
      }
    }

    renderOutput(item, bubble, message) {
      const media = message.media;
      if (media && media.kind === 'photo' && media.here) {
        const img = el('img', 'photo');
        img.src = `${API}/files/${encodeURIComponent(media.fileId)}`;
        img.alt = t('web.photo_alt');
        img.loading = 'lazy';
        bubble.append(img);
      } else if (media) {
        bubble.append(el('p', 'note', t(media.kind === 'voice' ? 'web.media.voice' : 'web.media.elsewhere')));
      }
      bubble.append(el('p', 'text', message.text));
      if (message.document) {
        const a = el('a', 'document', t('web.document', { name: message.document.fileName }));
        a.href = `${API}/files/${encodeURIComponent(message.document.fileId)}`;
        a.download = message.document.fileName;
        bubble.append(a);
      }
      const buttons = message.buttons || [];
      if (!buttons.length && !message.contactRequest) return;
      const row = el('div', 'choices');
      if (message.contactRequest) {
        const b = el('button', 'choice contact', message.contactRequest.label);
        b.type = 'button';
        b.addEventListener('click', () => this.send({ kind: 'contact' }));
        row.append(b);
      }
      for (const button of buttons) {
        const b = el('button', 'choice', button.label);
        b.type = 'button';
        b.dataset.data = button.data;
        b.addEventListener('click', () => {
          b.classList.add('pressed');
          this.send({ kind: 'button', data: button.data, label: button.label });
        });
        row.append(b);
      }
      item.append(row);
    }

    showBanner(text) {
      this.banner.textContent = text;
      this.banner.hidden = !text;
    }

    /** Send one message; a failed attempt is repeated with the same id, which the server de-duplicates. */
    async send(body) {
      const request = {
        chatId: this.chatId,
        clientId: newId(),
        firstName: t(`web.first_name.${this.chatId}`),
        ...body,
      };
      for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
        try {
          const res = await fetch(`${API}/messages`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(request),
          });
          if (res.ok) {
            this.showBanner('');
            return true;
          }
          if (res.status < 500) break;
        } catch {
          // Network trouble: try again with the same client id.
        }
        await sleep(500 * attempt);
      }
      this.showBanner(t('web.error.send'));
      return false;
    }

    async sendTyped() {
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = '';
      const ok = await this.send({ kind: 'text', text });
      if (!ok && !this.input.value) this.input.value = text;
    }

    async start() {
      // The bot speaks Hindi until told otherwise; an English page says so first.
      if (app.lang !== 'hi') await this.send({ kind: 'command', command: 'language', args: app.lang });
      await this.send({ kind: 'command', command: 'start' });
    }

    async sendPhoto() {
      const file = this.photo.files && this.photo.files[0];
      this.photo.value = '';
      if (!file) return;
      const max = app.config.maxUploadBytes;
      try {
        let blob = file;
        if (file.size > max || !IMAGE_TYPES.includes(file.type)) blob = await shrink(file);
        if (blob.size > max) {
          this.showBanner(t('web.error.too_large', { mb: Math.floor(max / (1024 * 1024)) }));
          return;
        }
        const res = await fetch(`${API}/files?chatId=${encodeURIComponent(this.chatId)}`, {
          method: 'POST',
          headers: { 'Content-Type': blob.type || 'image/jpeg' },
          body: blob,
        });
        if (!res.ok) throw new Error(`upload ${res.status}`);
        const { fileId } = await res.json();
        const caption = this.input.value.trim();
        this.input.value = '';
        await this.send(caption ? { kind: 'photo', fileId, caption } : { kind: 'photo', fileId });
      } catch {
        this.showBanner(t('web.error.upload'));
      }
    }
  }

  // ---- the page -------------------------------------------------------------

  function activate(role) {
    document.body.dataset.active = role;
    safeStorage('set', 'tab', role);
    for (const tab of document.querySelectorAll('.tab')) {
      const on = tab.dataset.pane === role;
      tab.setAttribute('aria-selected', String(on));
      if (on) tab.querySelector('.dot').hidden = true;
    }
  }

  async function setLanguage(lang, tellBot) {
    await loadWords(lang);
    safeStorage('set', 'lang', lang);
    const url = new URL(location.href);
    url.searchParams.set('lang', lang);
    history.replaceState(null, '', url);
    // Switching the page's language switches the citizen's conversation too,
    // once there is one (a new chat does it when «Start» is pressed).
    const citizen = app.panes.find((p) => p.role === 'citizen');
    if (tellBot && citizen && citizen.messages.length)
      await citizen.send({ kind: 'command', command: 'language', args: lang });
  }

  /** A one-time login link (/sim/login?token=…) opens a session; the token then leaves the address bar. */
  async function useLoginLink() {
    const token = params.get('token');
    if (!token) return;
    await fetch(`${API}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    }).catch(() => undefined);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `/sim/${rest ? `?${rest}` : ''}`);
  }

  async function main() {
    await useLoginLink();
    const configRes = await fetch(`${API}/config`, { cache: 'no-store' });
    if (configRes.status === 401) {
      // Without a session nothing else works: say how to get one, in the page's language.
      await loadWords(saved('lang') === 'en' ? 'en' : 'hi');
      const notice = el('p', 'login-needed', t('web.login_needed'));
      notice.setAttribute('role', 'alert');
      document.body.prepend(notice);
      document.body.dataset.ready = 'login';
      return;
    }
    if (configRes.ok) app.config = await configRes.json();
    for (const section of document.querySelectorAll('.pane')) app.panes.push(new Pane(section));
    const lang = saved('lang');
    await loadWords(app.config.languages && app.config.languages.includes(lang) ? lang : 'hi');
    for (const b of document.querySelectorAll('.lang'))
      b.addEventListener('click', () => setLanguage(b.dataset.lang, true));
    for (const tab of document.querySelectorAll('.tab'))
      tab.addEventListener('click', () => activate(tab.dataset.pane));
    activate(saved('tab') === 'staff' ? 'staff' : 'citizen');
    for (const pane of app.panes) pane.poll();
    document.body.dataset.ready = 'true';
  }

  main().catch(() => {
    document.body.dataset.ready = 'failed';
  });
})();
