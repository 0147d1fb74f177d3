import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config';
import { createTestApp, FIXED_START, REPO_ROOT, type TestApp } from '../support/test-app';

const DAY = 24 * 3_600_000;
const daysAgo = (d: number) => new Date(FIXED_START.getTime() - d * DAY);

/** Every kind of data a retention job expires: collection, the date field it ages by, and its configured period. */
const RETAINED = [
  { collection: 'web_messages', field: 'createdAt', variable: 'WEB_RETENTION_DAYS', days: 10 },
  { collection: 'web_files', field: 'createdAt', variable: 'WEB_RETENTION_DAYS', days: 10 },
  { collection: 'whatsapp_menus', field: 'sentAt', variable: 'WHATSAPP_MENU_RETENTION_DAYS', days: 3 },
  { collection: 'whatsapp_files', field: 'createdAt', variable: 'WHATSAPP_FILE_RETENTION_DAYS', days: 20 },
  { collection: 'job_runs', field: 'firingTime', variable: 'RUN_KEY_RETENTION_DAYS', days: 2 },
  { collection: 'outbox_claims', field: 'createdAt', variable: 'OUTBOX_RETENTION_DAYS', days: 5 },
  { collection: 'outbox', field: 'failedAt', variable: 'OUTBOX_RETENTION_DAYS', days: 5, extra: { status: 'failed' } },
  {
    collection: 'outbox_archive',
    field: 'sentAt',
    variable: 'OUTBOX_RETENTION_DAYS',
    days: 5,
    extra: { status: 'sent' },
  },
] as const;

describe('every retention period is configured and its clean-up is scheduled', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(Object.fromEntries(RETAINED.map((r) => [r.variable, String(r.days)])));
  });
  afterAll(() => t.close());

  test('the clean-up job is among the scheduled jobs', () => {
    expect(Object.keys(t.app.scheduler.nextRuns())).toContain('cleanup');
  });

  test('one run deletes what is older than each period and keeps what is younger', async () => {
    for (const [i, r] of RETAINED.entries()) {
      const extra = 'extra' in r ? r.extra : {};
      await t.db.conn
        .collection(r.collection)
        .insertMany([
          { _id: `old-${i}`, [r.field]: daysAgo(r.days + 1), ...extra } as never,
          { _id: `young-${i}`, [r.field]: daysAgo(r.days - 1), ...extra } as never,
        ]);
    }
    expect(await t.app.scheduler.runNow('cleanup', FIXED_START)).toBe('ran');
    for (const [i, r] of RETAINED.entries()) {
      const left = (
        await t.db.conn
          .collection(r.collection)
          .find({ _id: { $in: [`old-${i}`, `young-${i}`] } } as never)
          .toArray()
      ).map((d) => String(d._id));
      expect({ collection: r.collection, left }).toEqual({ collection: r.collection, left: [`young-${i}`] });
    }
  });

  test('each period is a documented configuration variable (README table and .env.example)', () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    for (const name of [...new Set(RETAINED.map((r) => r.variable)), 'CONVERSATION_IDLE_HOURS', 'CLEANUP_CRON']) {
      expect(CONFIG_VARIABLES).toContain(name);
      expect({ name, inReadme: readme.includes(`\`${name}\``) }).toEqual({ name, inReadme: true });
      expect({ name, inExample: new RegExp(`^${name}=`, 'm').test(example) }).toEqual({ name, inExample: true });
    }
  });
});
