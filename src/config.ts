import path from 'node:path';
import { validate as isCron } from 'node-cron';
import { z } from 'zod';
import { ConfigError } from './errors';

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
    z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'must be an http(s) URL such as https://api.telegram.org')
      .transform((v) => v.replace(/\/+$/, ''))
      .default('https://api.telegram.org'),
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
  COUNSELLOR_MAX_SESSIONS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(50).default(3)),
  INVITE_TTL_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(24 * 30).default(48)),
  CONVERSATION_IDLE_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(24 * 30).default(72)),
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
  PUBLIC_BASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'must be an http(s) URL such as https://jansahayak.example.org')
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
  ),
  DASHBOARD_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional()),
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
  /** Simulator chats that act as administrator: ADMIN_WEB_IDS, or "admin" while the simulator is loopback-only. */
  adminWebIds: string[];
};

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
  return {
    ...c,
    dataDirAbs: path.resolve(cwd, c.DATA_DIR),
    flowsDirAbs: path.resolve(cwd, c.FLOWS_DIR),
    localesDirAbs: path.resolve(cwd, c.LOCALES_DIR),
    // A public simulator must not hand out an administrator chat by default.
    adminWebIds: c.ADMIN_WEB_IDS
      ? c.ADMIN_WEB_IDS.split(',').map((s) => s.trim())
      : c.SIMULATOR_PUBLIC
        ? []
        : [DEFAULT_WEB_ADMIN_ID],
  };
}
