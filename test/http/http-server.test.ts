import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LANGUAGES } from '../../src/i18n/create-i18n';
import { isLoopbackHost, isLoopbackHostHeader } from '../../src/http/loopback';
import { PROMETHEUS_CONTENT_TYPE } from '../../src/metrics/app-metrics';
import { clientId, postMessage, startSimTestServer, type SimTestServer } from './sim-test-server';

/** A GET with a Host header of our choosing (fetch will not send a foreign one). */
function getWithHost(url: string, path: string, host: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path, headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Listen on loopback whatever the configured host says, so the test binds nothing else. */
async function listenOnLoopback(s: SimTestServer): Promise<string> {
  await new Promise<void>((resolve) => s.http.server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.http.server.address() as AddressInfo).port}`;
}

describe('HTTP server on loopback', () => {
  let s: SimTestServer;
  beforeAll(async () => {
    s = await startSimTestServer({ healthChecks: { web: () => 'up', telegram: () => 'off' } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('logs one line with the simulator URL on start', () => {
    const started = s
      .httpLogs()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === 'http_started');
    expect(started).toHaveLength(1);
    expect(started[0]?.simulator).toBe(`${s.url}/sim/`);
  });

  it('answers /healthz 200 with the database and channel states', async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', db: 'up', channels: { web: 'up', telegram: 'off' } });
  });

  it('renders /metrics in the Prometheus text format with the service counters', async () => {
    await postMessage(s.url, { chatId: 'citizen-m1', clientId: clientId(), kind: 'command', command: 'help' });
    s.metrics.outboxDepth.collectWith(async () => 7);
    s.metrics.jobRuns.inc({ job: 'sla-sweep', outcome: 'ok' });
    s.metrics.ticketsCreated.inc({ channel: 'web' });

    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    const text = await res.text();
    expect(text.endsWith('\n')).toBe(true);
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? -?[0-9.e+-]+$/;
    for (const line of text.trimEnd().split('\n')) {
      // Blank lines between metric families are allowed by the format.
      if (line === '') continue;
      if (line.startsWith('#')) expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      else expect(line).toMatch(sample);
    }
    expect(text).toContain('# TYPE jan_sahayak_updates_handled_total counter');
    expect(text).toContain('jan_sahayak_updates_handled_total{channel="web",outcome="handled"} 1');
    expect(text).toContain('jan_sahayak_tickets_created_total{channel="web"} 1');
    expect(text).toContain('# TYPE jan_sahayak_outbox_depth gauge');
    expect(text).toContain('jan_sahayak_outbox_depth 7');
    expect(text).toContain('jan_sahayak_job_runs_total{job="sla-sweep",outcome="ok"} 1');
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    // What prom-client adds for operators: CPU, event-loop lag, and the latency histograms.
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(text).toMatch(/^jan_sahayak_update_handling_seconds_bucket\{le="0\.5",channel="web"\} [1-9]/m);
    expect(text).toContain('# TYPE jan_sahayak_outbox_delivery_seconds histogram');
  });

  it('serves the page with a strict content security policy, and sends / to it', async () => {
    const page = await fetch(`${s.url}/sim/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="sim.js" defer></script>');
    const script = await fetch(`${s.url}/sim/sim.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const etag = script.headers.get('etag') ?? '';
    expect((await fetch(`${s.url}/sim/sim.js`, { headers: { 'If-None-Match': etag } })).status).toBe(304);

    for (const path of ['/', '/sim']) {
      const res = await fetch(`${s.url}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/sim/');
    }
    for (const path of [
      '/sim/nope.html',
      '/sim/%2e%2e/package.json',
      '/sim/..%2fpackage.json',
      '/package.json',
      '/sim/api/nothing',
    ]) {
      expect((await fetch(`${s.url}${path}`)).status).toBe(404);
    }
    expect((await fetch(`${s.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('gives the page its words in each language and its preset places', async () => {
    for (const lang of LANGUAGES) {
      const res = await fetch(`${s.url}/sim/api/i18n?lang=${lang}`);
      const body = (await res.json()) as { lang: string; strings: Record<string, unknown> };
      expect(body.lang).toBe(lang);
      expect(body.strings.title).toBe(s.translator.t(lang, 'web.title'));
    }
    expect((await fetch(`${s.url}/sim/api/i18n?lang=fr`)).status).toBe(400);
    const config = (await (await fetch(`${s.url}/sim/api/config`)).json()) as {
      places: unknown[];
      maxUploadBytes: number;
      languages: string[];
    };
    expect(config.places).toEqual(s.places.map((p) => ({ id: p.id, label: p.label, lat: p.lat, lon: p.lon })));
    expect(config.maxUploadBytes).toBe(s.web.maxUploadBytes);
    expect(config.languages).toEqual([...LANGUAGES]);
  });

  it('keeps the simulator from pages that reach it under a foreign host name', async () => {
    expect(await getWithHost(s.url, '/sim/', 'attacker.example')).toBe(404);
    expect(await getWithHost(s.url, '/sim/api/messages?chatId=citizen-1', 'attacker.example:3000')).toBe(404);
    expect(await getWithHost(s.url, '/healthz', 'attacker.example')).toBe(200);
    expect(await getWithHost(s.url, '/sim/', 'localhost:3000')).toBe(200);
  });
});

describe('HTTP server on a non-loopback address', () => {
  it('hides the simulator unless SIMULATOR_PUBLIC, while health and metrics still work', async () => {
    const hidden = await startSimTestServer(
      { config: { host: '0.0.0.0', port: 0, simulator: 'dev', simulatorPublic: false } },
      { listen: false },
    );
    try {
      expect(hidden.http.simulatorEnabled).toBe(false);
      const url = await listenOnLoopback(hidden);
      for (const path of ['/', '/sim/', '/sim/api/config', '/sim/api/messages?chatId=citizen-1'])
        expect((await fetch(`${url}${path}`)).status).toBe(404);
      expect(
        (await postMessage(url, { chatId: 'citizen-1', clientId: clientId(), kind: 'command', command: 'start' }))
          .status,
      ).toBe(404);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
    } finally {
      await hidden.close();
    }

    const shown = await startSimTestServer(
      { config: { host: '0.0.0.0', port: 0, simulator: 'login', simulatorPublic: true } },
      { listen: false },
    );
    try {
      expect(shown.http.simulatorEnabled).toBe(true);
      const url = await listenOnLoopback(shown);
      expect(await getWithHost(url, '/sim/', 'district-pc.lan:3000')).toBe(200);
    } finally {
      await shown.close();
    }
  });
});

describe('HTTP server health and shutdown', () => {
  it('answers /healthz 503 when a configured channel is down', async () => {
    const s = await startSimTestServer({
      healthChecks: { telegram: () => 'down', broken: () => Promise.reject(new Error('boom')) },
    });
    try {
      const res = await fetch(`${s.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'unavailable',
        db: 'up',
        channels: { telegram: 'down', broken: 'down' },
      });
    } finally {
      await s.close();
    }
  });

  it('answers /healthz 503 once the database connection is closed', async () => {
    const s = await startSimTestServer();
    try {
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      await s.db.conn.dropDatabase();
      await s.db.conn.close();
      const res = await fetch(`${s.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', db: 'down', channels: {} });
    } finally {
      await s.http.close();
      await s.app.stop();
    }
  });

  it('ends a pending long poll when the server closes', async () => {
    const s = await startSimTestServer({ maxPollWaitMs: 10 * 60_000 });
    try {
      const arrived = new Promise((resolve) => s.http.server.once('request', resolve));
      const poll = fetch(`${s.url}/sim/api/messages?chatId=citizen-1&after=0&wait=600`);
      await arrived;
      const closed = s.http.close();
      const res = await poll;
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ messages: [] });
      await closed;
      expect(s.http.server.listening).toBe(false);
    } finally {
      await s.http.close();
      await s.db.close();
      await s.app.stop();
    }
  });
});

describe('loopback checks', () => {
  it('tells loopback hosts and Host headers from others', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '', '128.0.0.1'])
      expect(isLoopbackHost(h)).toBe(false);
    for (const h of ['127.0.0.1:3000', 'localhost', 'localhost:80', '[::1]:3000'])
      expect(isLoopbackHostHeader(h)).toBe(true);
    for (const h of [undefined, '', 'localhost.attacker.example', '127.0.0.1.nip.io:3000', '[::]:3000'])
      expect(isLoopbackHostHeader(h)).toBe(false);
  });
});
