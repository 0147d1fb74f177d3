import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { findFreePort } from '../../src/db/free-port';
import { createFakeTelegramApi, type FakeTelegramApi } from '../support/fake-telegram-api';
import { dropPrivateDb, privateDbUri, ROOT, startService, stopService } from '../support/service-process';
import { RATION_COMPLAINT, type NewUpdate } from '../support/telegram-updates';

const NGINX = '/usr/sbin/nginx';
const HOST = 'jansahayak.example.org';
const TOKEN = '123456789:NGINX-e2e-token-abcdefghijklmnopqrs';
const SECRET = 'nginx-e2e-webhook-secret-0123456789';
const CITIZENS = Array.from({ length: 50 }, (_, i) => 700_000 + i);

/** The shipped site file, made runnable here: our ports, a self-signed certificate, IPv4 only. */
function siteConfig(dir: string, ports: { tls: number; plain: number; a: number; b: number }): string {
  return fs
    .readFileSync(path.join(ROOT, 'scripts/deploy/nginx.conf'), 'utf8')
    .split('\n')
    .filter((line) => !line.includes('[::]'))
    .join('\n')
    .replaceAll(`/etc/letsencrypt/live/${HOST}/fullchain.pem`, path.join(dir, 'cert.pem'))
    .replaceAll(`/etc/letsencrypt/live/${HOST}/privkey.pem`, path.join(dir, 'key.pem'))
    .replace(/listen 443 /g, `listen 127.0.0.1:${ports.tls} `)
    .replace(/listen 80([ ;])/g, `listen 127.0.0.1:${ports.plain}$1`)
    .replace('127.0.0.1:3000', `127.0.0.1:${ports.a}`)
    .replace('127.0.0.1:3001', `127.0.0.1:${ports.b}`);
}

function writeNginx(dir: string, ports: { tls: number; plain: number; a: number; b: number }): string {
  fs.chmodSync(dir, 0o777);
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${HOST}`,
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  fs.writeFileSync(path.join(dir, 'site.conf'), siteConfig(dir, ports));
  const main = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    main,
    [
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'worker_processes 1;',
      'events { worker_connections 512; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
      `  include ${dir}/site.conf;`,
      '}',
    ].join('\n'),
  );
  return main;
}

/** POST through nginx over TLS, as Telegram does; the status, or 0 when no answer came. */
function postThroughProxy(port: number, update: NewUpdate & { update_id: number }): Promise<number> {
  const body = JSON.stringify(update);
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        servername: HOST,
        method: 'POST',
        path: '/tg/hook',
        rejectUnauthorized: false,
        headers: {
          Host: HOST,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'X-Telegram-Bot-Api-Secret-Token': SECRET,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

describe('the shipped nginx site in front of two instances', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'js-nginx-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('nginx -t accepts scripts/deploy/nginx.conf', () => {
    const main = writeNginx(dir, { tls: 18443, plain: 18080, a: 3000, b: 3001 });
    const r = spawnSync(NGINX, ['-t', '-p', dir, '-c', main], { encoding: 'utf8' });
    expect(`${r.stderr}`).toContain('syntax is ok');
    expect(r.status).toBe(0);
  });

  describe('end to end', () => {
    let api: FakeTelegramApi;
    let nginx: ChildProcess | undefined;
    const services: Array<ChildProcess | undefined> = [];
    const dbName = `nginx_${randomBytes(4).toString('hex')}`;
    let env: Record<string, string>;
    let ports: { tls: number; plain: number; a: number; b: number };

    beforeAll(async () => {
      api = createFakeTelegramApi({ token: TOKEN });
      const { apiRoot } = await api.start();
      ports = {
        tls: await findFreePort(),
        plain: await findFreePort(),
        a: await findFreePort(),
        b: await findFreePort(),
      };
      const main = writeNginx(dir, ports);
      nginx = spawn(NGINX, ['-p', dir, '-c', main, '-g', 'daemon off;'], { stdio: 'ignore' });
      env = {
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: apiRoot,
        TELEGRAM_WEBHOOK_URL: `https://${HOST}/tg/hook`,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        MONGODB_URI: privateDbUri(dbName),
        TRUST_PROXY: 'true',
        PUBLIC_BASE_URL: `https://${HOST}`,
      };
      services[0] = await startService({ ...env, HTTP_PORT: String(ports.a) });
      services[1] = await startService({ ...env, HTTP_PORT: String(ports.b) });
    }, 90_000);

    afterAll(async () => {
      for (const s of services) if (s) await stopService(s, 'SIGKILL');
      if (nginx) await stopService(nginx, 'SIGTERM');
      await api.stop();
      await dropPrivateDb(dbName);
    }, 30_000);

    test('50 citizens file through the proxy while one instance is killed and restarted: every ticket once, every reply once and in order', async () => {
      let nextId = 1;
      const steps = RATION_COMPLAINT;
      /** Telegram's way: the same update again until it hears 200. */
      async function deliver(update: NewUpdate): Promise<void> {
        const withId = { ...update, update_id: nextId++ };
        for (let attempt = 0; attempt < 60; attempt += 1) {
          if ((await postThroughProxy(ports.tls, withId)) === 200) return;
          await new Promise((r) => setTimeout(r, 250));
        }
        throw new Error('the proxy never accepted an update');
      }
      async function walk(chat: number, from: number, to: number): Promise<void> {
        for (let i = from; i < to; i += 1) {
          await deliver((steps[i] as (c: number) => NewUpdate)(chat));
          await api.waitForSent(chat, i + 1, 60_000);
        }
      }

      await Promise.all(CITIZENS.map((chat) => walk(chat, 0, 3)));
      // Between two messages of every citizen the first instance dies without a chance to clean up …
      await stopService(services[0] as ChildProcess, 'SIGKILL');
      await Promise.all(CITIZENS.map((chat) => walk(chat, 3, 5)));
      // … and comes back while they go on.
      const restart = startService({ ...env, HTTP_PORT: String(ports.a) }).then((s) => (services[0] = s));
      await Promise.all([restart, ...CITIZENS.map((chat) => walk(chat, 5, 7))]);

      const expected = ['intake.category', '2/6', '3/6', '4/6', '5/6', '6/6'];
      for (const chat of CITIZENS) {
        const texts = api.sent(chat).map((c) => String(c.params.text ?? ''));
        expect(texts).toHaveLength(steps.length);
        expected.slice(1).forEach((mark, i) => expect(texts[i + 1]).toContain(mark));
        expect(texts[6]).toMatch(/ALR-\d{6}/);
      }
      const conn = await mongoose.createConnection(privateDbUri(dbName)).asPromise();
      const tickets = await conn
        .collection('tickets')
        .find({}, { projection: { ref: 1, chatId: 1 } })
        .toArray();
      await conn.close();
      expect(tickets).toHaveLength(CITIZENS.length);
      expect(new Set(tickets.map((t) => t.chatId)).size).toBe(CITIZENS.length);
      expect(new Set(tickets.map((t) => t.ref)).size).toBe(CITIZENS.length);
    }, 300_000);
  });
});
