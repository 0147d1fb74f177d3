import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';

const ROOT = path.resolve(__dirname, '../..');

describe('configuration', () => {
  test('defaults: no token, embedded database under ./data, district ALR, 5 tickets a day', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(c.MONGODB_URI).toBeUndefined();
    expect(c.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
    expect(c.dataDirAbs).toBe('/srv/app/data');
    expect(c.DISTRICT_CODE).toBe('ALR');
    expect(c.MAX_TICKETS_PER_DAY).toBe(5);
    expect(c.ADMIN_TELEGRAM_IDS).toEqual([]);
    expect(c.INVITE_TTL_HOURS).toBe(48);
    expect(c.CONVERSATION_IDLE_HOURS).toBe(72);
  });

  test('values are parsed: admin ids split, numbers coerced, empty strings count as unset', () => {
    const c = loadConfig(
      { ADMIN_TELEGRAM_IDS: ' 11, 22 ,33', MAX_TICKETS_PER_DAY: '3', MONGODB_URI: '', DISTRICT_CODE: 'JHB' },
      '/x',
    );
    expect(c.ADMIN_TELEGRAM_IDS).toEqual(['11', '22', '33']);
    expect(c.MAX_TICKETS_PER_DAY).toBe(3);
    expect(c.MONGODB_URI).toBeUndefined();
    expect(c.DISTRICT_CODE).toBe('JHB');
  });

  const TOKEN = '123456789:TEST-token-abcdefghijklmnopqrstuvwxyz';
  test.each([
    ['plain development start', {}, 'dev', ['admin']],
    ['production', { NODE_ENV: 'production' }, 'off', []],
    ['a Telegram token', { TELEGRAM_BOT_TOKEN: TOKEN }, 'off', []],
    ['WhatsApp', { WHATSAPP_ENABLED: 'true' }, 'off', []],
    [
      'the WhatsApp Cloud API',
      {
        WHATSAPP_CLOUD_PHONE_NUMBER_ID: '123456789012',
        WHATSAPP_CLOUD_ACCESS_TOKEN: 'EAAG'.padEnd(40, 'x'),
        WHATSAPP_CLOUD_APP_SECRET: 'a'.repeat(32),
        WHATSAPP_CLOUD_VERIFY_TOKEN: 'v'.repeat(32),
      },
      'off',
      [],
    ],
    [
      'explicitly enabled in production',
      { NODE_ENV: 'production', TELEGRAM_BOT_TOKEN: TOKEN, SIMULATOR_ENABLED: 'true' },
      'login',
      ['admin'],
    ],
    ['explicitly enabled in development', { SIMULATOR_ENABLED: 'true' }, 'login', ['admin']],
    ['explicitly disabled', { SIMULATOR_ENABLED: 'false' }, 'off', []],
    ['public', { SIMULATOR_PUBLIC: 'true', HTTP_HOST: '0.0.0.0' }, 'login', []],
    ['public with administrator chats named', { SIMULATOR_PUBLIC: 'true', ADMIN_WEB_IDS: 'admin' }, 'login', []],
    ['behind a proxy', { TRUST_PROXY: 'true' }, 'login', ['admin']],
    ['bound to every interface', { HTTP_HOST: '0.0.0.0' }, 'login', ['admin']],
  ])('the simulator with %s: %s', (_what, env: Record<string, string>, mode, admins) => {
    const c = loadConfig(env, '/x');
    expect(c.simulator).toBe(mode);
    expect(c.adminWebIds).toEqual(admins);
  });

  test.each([
    ['TELEGRAM_BOT_TOKEN', 'not-a-token'],
    ['TELEGRAM_API_ROOT', 'localhost:8081'],
    ['MONGODB_URI', 'postgres://x'],
    ['DISTRICT_CODE', 'alr'],
    ['ADMIN_TELEGRAM_IDS', 'alice,bob'],
    ['LOG_LEVEL', 'loud'],
    ['MAX_TICKETS_PER_DAY', '0'],
    ['INVITE_TTL_HOURS', '0'],
    ['INVITE_TTL_HOURS', '721'],
    ['CONVERSATION_IDLE_HOURS', '1.5'],
  ])('a bad %s is refused with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value }, '/x')).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value }, '/x')).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });

  test.each([
    ['TELEGRAM_API_ROOT', 'https://api.telegram.org', 'https://api.telegram.org'],
    ['PUBLIC_BASE_URL', undefined, 'https://jansahayak.example.org'],
    ['WHATSAPP_CLOUD_API_ROOT', 'https://graph.facebook.com/v21.0', 'https://graph.facebook.com/v21.0'],
  ] as const)('%s: an http(s) URL without its trailing slashes, by default %s', (name, fallback, example) => {
    expect(loadConfig({}, '/x')[name]).toBe(fallback);
    expect(loadConfig({ [name]: 'http://10.0.0.5:8081/root//' }, '/x')[name]).toBe('http://10.0.0.5:8081/root');
    expect(() => loadConfig({ [name]: 'ftp://example.org' }, '/x')).toThrow(
      `Invalid configuration: ${name} must be an http(s) URL such as ${example}`,
    );
  });

  test('.env.example lists every variable, each with a comment above it', () => {
    const lines = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n');
    for (const name of CONFIG_VARIABLES) {
      const i = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect({ name, listed: i >= 0 }).toEqual({ name, listed: true });
      // Variables may share a comment: the first line above that is not a variable is one.
      let j = i - 1;
      while (j >= 0 && /^[A-Z_]+=/.test(lines[j] ?? '')) j--;
      expect(lines[j]?.startsWith('#')).toBe(true);
    }
  });

  test('the service stops at start-up with one line naming the bad variable', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DISTRICT_CODE: 'bad code', MONGODB_URI: '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.status).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DISTRICT_CODE/);
  });
});
