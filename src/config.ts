import path from 'node:path';
import { validate as isCron } from 'node-cron';
import { z } from 'zod';
import { ConfigError } from './errors';
import { isLoopbackHost } from './http/loopback';
import { CATEGORY_PROFILES } from './domain/catalog-loader';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const cronExpression = (fallback: string) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => isCron(v), 'must be a cron expression such as */5 * * * *')
      .default(fallback),
  );

/** An http(s) URL, its trailing slashes dropped; `example` names one in the error. */
const httpUrl = (example: string) =>
  z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, `must be an http(s) URL such as ${example}`)
    .transform((v) => v.replace(/\/+$/, ''));

/** A whole number of hours from 1 to 30 days' worth. */
const hoursUpToAMonth = (fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(fallback),
  );

const schema = z.object({
  TELEGRAM_BOT_TOKEN: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'must look like 123456:ABC-DEF… (from @BotFather)')
      .optional(),
  ),
  TELEGRAM_API_ROOT: z.preprocess(
    emptyAsUndefined,
    httpUrl('https://api.telegram.org').default('https://api.telegram.org'),
  ),
  TELEGRAM_WEBHOOK_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(
        /^(https:\/\/[^\s/]+|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?)\/\S*$/,
        'must be the public https:// URL Telegram posts updates to, e.g. https://bot.example.org/telegram/webhook',
      )
      .optional(),
  ),
  TELEGRAM_WEBHOOK_SECRET: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16–256 letters, digits, _ or - (e.g. openssl rand -hex 32)')
      .optional(),
  ),
  MONGODB_URI: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  DISTRICT_CODE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Z]{2,6}$/, 'must be 2–6 capital letters, e.g. ALR')
      .default('ALR'),
  ),
  ADMIN_TELEGRAM_IDS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, 'must be comma-separated numeric Telegram user ids')
      .default('')
      .or(z.literal(''))
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
  ),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  LOG_FORMAT: z.preprocess(emptyAsUndefined, z.enum(['json', 'pretty']).optional()),
  MAX_TICKETS_PER_DAY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1000).default(5)),
  CATEGORY_PROFILE: z.preprocess(emptyAsUndefined, z.enum(CATEGORY_PROFILES).default('source')),
  COUNSELLOR_MAX_SESSIONS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(50).default(3)),
  INVITE_TTL_HOURS: hoursUpToAMonth(48),
  CONVERSATION_IDLE_HOURS: hoursUpToAMonth(72),
  RATE_LIMIT_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(6000).default(20)),
  RATE_LIMIT_BURST: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_000_000).default(10)),
  RATE_LIMIT_STAFF_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(6000).default(120)),
  MEDIA_MAX_MB: z.preprocess(emptyAsUndefined, z.coerce.number().min(0.1).max(15).default(5)),
  MEDIA_PER_DAY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(1000).default(20)),
  OUTBOX_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3650).default(30)),
  RUN_KEY_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3650).default(7)),
  WEB_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3650).default(30)),
  WHATSAPP_MENU_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3650).default(7)),
  WHATSAPP_FILE_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3650).default(180)),
  CLEANUP_CRON: cronExpression('40 3 * * *'),
  FLOWS_DIR: z.preprocess(emptyAsUndefined, z.string().default('flows')),
  LOCALES_DIR: z.preprocess(emptyAsUndefined, z.string().default('locales')),
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('development')),
  HTTP_HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
  HTTP_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  SIMULATOR_PUBLIC: z.preprocess(emptyAsUndefined, booleanFromEnv.default(false)),
  SIMULATOR_ENABLED: z.preprocess(emptyAsUndefined, booleanFromEnv.optional()),
  TRUST_PROXY: z.preprocess(emptyAsUndefined, booleanFromEnv.default(false)),
  PUBLIC_BASE_URL: z.preprocess(emptyAsUndefined, httpUrl('https://jansahayak.example.org').optional()),
  DASHBOARD_SECRET: z.preprocess(
    emptyAsUndefined,
    z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
  ),
  DASHBOARD_LINK_TTL_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1440).default(15)),
  DASHBOARD_SESSION_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(168).default(12)),
  ADMIN_WEB_IDS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\s*[A-Za-z0-9_-]+\s*(,\s*[A-Za-z0-9_-]+\s*)*$/, 'must be comma-separated simulator chat ids')
      .optional(),
  ),
  WHATSAPP_ENABLED: z.preprocess(emptyAsUndefined, booleanFromEnv.default(false)),
  JOBS_ENABLED: z.preprocess(emptyAsUndefined, booleanFromEnv.default(true)),
  SLA_SWEEP_CRON: cronExpression('*/5 * * * *'),
  DAILY_REPORT_CRON: cronExpression('0 9 * * *'),
  CHROMIUM_PATH: z.preprocess(emptyAsUndefined, z.string().min(1).default('/usr/bin/chromium')),
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[0-9]{5,30}$/, 'must be the numeric phone number id from WhatsApp Manager')
      .optional(),
  ),
  WHATSAPP_CLOUD_ACCESS_TOKEN: z.preprocess(
    emptyAsUndefined,
    z.string().min(20, 'must be a Graph API access token').optional(),
  ),
  WHATSAPP_CLOUD_APP_SECRET: z.preprocess(
    emptyAsUndefined,
    z.string().min(16, 'must be the Meta app secret').optional(),
  ),
  WHATSAPP_CLOUD_VERIFY_TOKEN: z.preprocess(
    emptyAsUndefined,
    z.string().min(16, 'must be at least 16 characters (e.g. openssl rand -hex 16)').optional(),
  ),
  WHATSAPP_CLOUD_API_ROOT: z.preprocess(
    emptyAsUndefined,
    httpUrl('https://graph.facebook.com/v21.0').default('https://graph.facebook.com/v21.0'),
  ),
  WHATSAPP_PAIRING_PHONE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\+?[0-9][0-9 -]{6,18}[0-9]$/, 'must be the bot’s own number with country code, e.g. +919876543210')
      .optional(),
  ),
});

/** Names of every environment variable the service reads. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

/** Validated configuration; the only place environment variables are read. */
export type Config = z.infer<typeof schema> & {
  dataDirAbs: string;
  flowsDirAbs: string;
  localesDirAbs: string;
  /** The WhatsApp Business Cloud API channel's settings, when all four of its variables are set. */
  whatsappCloud?: {
    phoneNumberId: string;
    accessToken: string;
    appSecret: string;
    verifyToken: string;
    apiRoot: string;
  };
  /** Simulator chats that act as administrator: none while the simulator is off or public; else ADMIN_WEB_IDS, or "admin". */
  adminWebIds: string[];
  /** Whether and how the web simulator is served (see {@link simulatorMode}). */
  simulator: SimulatorMode;
};

/**
 * How the simulator is served: `off`; `dev` (no login: the plain development
 * start, loopback only); `login` (a one-time link from the start-up log or
 * `/simulator` opens a session first).
 */
export type SimulatorMode = 'off' | 'dev' | 'login';

/**
 * The simulator is a development and demonstration tool. It is on by default
 * only in development with no real channel configured (a Telegram token, or
 * either WhatsApp adapter: `WHATSAPP_ENABLED` stands for both here); SIMULATOR_ENABLED
 * overrides that either way. Without a login it runs only in that default,
 * bound to loopback, not public and not behind a proxy: every other way of
 * serving it asks for a login. Nothing here depends on any request.
 * @example simulatorMode({ NODE_ENV: 'production', … }) // 'off'
 */
export function simulatorMode(c: {
  NODE_ENV: string;
  TELEGRAM_BOT_TOKEN?: string | undefined;
  WHATSAPP_ENABLED: boolean;
  SIMULATOR_ENABLED?: boolean | undefined;
  SIMULATOR_PUBLIC: boolean;
  TRUST_PROXY: boolean;
  HTTP_HOST: string;
}): SimulatorMode {
  const realChannel = Boolean(c.TELEGRAM_BOT_TOKEN) || c.WHATSAPP_ENABLED;
  const byDefault = c.NODE_ENV !== 'production' && !realChannel;
  if (!(c.SIMULATOR_ENABLED ?? byDefault)) return 'off';
  const plainDevelopment =
    c.SIMULATOR_ENABLED === undefined && isLoopbackHost(c.HTTP_HOST) && !c.SIMULATOR_PUBLIC && !c.TRUST_PROXY;
  return plainDevelopment ? 'dev' : 'login';
}

/** The simulator's administrator chat when nothing else is configured (loopback only). */
export const DEFAULT_WEB_ADMIN_ID = 'admin';

/**
 * Parse and validate the environment once at start-up.
 * Throws a {@link ConfigError} whose one-line message names the first bad variable.
 * @example const config = loadConfig(process.env, process.cwd())
 */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.join('.') ?? 'configuration';
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}`);
  }
  const c = result.data;
  const cloud = [
    'WHATSAPP_CLOUD_PHONE_NUMBER_ID',
    'WHATSAPP_CLOUD_ACCESS_TOKEN',
    'WHATSAPP_CLOUD_APP_SECRET',
    'WHATSAPP_CLOUD_VERIFY_TOKEN',
  ] as const;
  const cloudSet = cloud.filter((k) => c[k] !== undefined);
  if (cloudSet.length > 0 && cloudSet.length < cloud.length) {
    throw new ConfigError(
      `Invalid configuration: ${cloud.find((k) => c[k] === undefined) ?? ''} is required when any WHATSAPP_CLOUD_ variable is set`,
    );
  }
  if ((c.TELEGRAM_WEBHOOK_URL === undefined) !== (c.TELEGRAM_WEBHOOK_SECRET === undefined)) {
    throw new ConfigError(
      `Invalid configuration: ${c.TELEGRAM_WEBHOOK_URL === undefined ? 'TELEGRAM_WEBHOOK_URL' : 'TELEGRAM_WEBHOOK_SECRET'} is required together with the other`,
    );
  }
  if (c.TELEGRAM_WEBHOOK_URL !== undefined && c.TELEGRAM_BOT_TOKEN === undefined) {
    throw new ConfigError('Invalid configuration: TELEGRAM_WEBHOOK_URL needs TELEGRAM_BOT_TOKEN');
  }
  if (cloudSet.length > 0 && c.WHATSAPP_ENABLED) {
    throw new ConfigError(
      'Invalid configuration: WHATSAPP_ENABLED cannot be true together with the WHATSAPP_CLOUD_ variables (one WhatsApp adapter at a time)',
    );
  }
  const simulator = simulatorMode({ ...c, WHATSAPP_ENABLED: c.WHATSAPP_ENABLED || cloudSet.length > 0 });
  return {
    ...c,
    ...(c.WHATSAPP_CLOUD_PHONE_NUMBER_ID &&
    c.WHATSAPP_CLOUD_ACCESS_TOKEN &&
    c.WHATSAPP_CLOUD_APP_SECRET &&
    c.WHATSAPP_CLOUD_VERIFY_TOKEN
      ? {
          whatsappCloud: {
            phoneNumberId: c.WHATSAPP_CLOUD_PHONE_NUMBER_ID,
            accessToken: c.WHATSAPP_CLOUD_ACCESS_TOKEN,
            appSecret: c.WHATSAPP_CLOUD_APP_SECRET,
            verifyToken: c.WHATSAPP_CLOUD_VERIFY_TOKEN,
            apiRoot: c.WHATSAPP_CLOUD_API_ROOT,
          },
        }
      : {}),
    dataDirAbs: path.resolve(cwd, c.DATA_DIR),
    flowsDirAbs: path.resolve(cwd, c.FLOWS_DIR),
    localesDirAbs: path.resolve(cwd, c.LOCALES_DIR),
    // No simulator, no simulator administrator; a public one never hands out an administrator chat
    // (its chat ids are namespaced per browser, so configured ones would not match anyway).
    adminWebIds:
      simulator === 'off' || c.SIMULATOR_PUBLIC
        ? []
        : c.ADMIN_WEB_IDS
          ? c.ADMIN_WEB_IDS.split(',').map((s) => s.trim())
          : [DEFAULT_WEB_ADMIN_ID],
    simulator,
  };
}
