import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { isDuplicateKey } from '../db/duplicate-key';
import type { DashboardModels } from './dashboard-models';

/** The settings document that holds a generated secret. */
export const SECRET_SETTING_ID = 'dashboard.secret';

/**
 * The secret that signs login links and session cookies: DASHBOARD_SECRET
 * when configured; otherwise one generated on first start and kept in the
 * `settings` collection, so links and sessions survive a restart and every
 * instance of a deployment signs alike. Two instances starting at once
 * both try to insert; the unique `_id` lets one win and the other reads it.
 */
export async function resolveDashboardSecret(deps: {
  configured?: string;
  models: DashboardModels;
  now: Date;
  logger: Logger;
}): Promise<string> {
  if (deps.configured) return deps.configured;
  const { Setting } = deps.models;
  const existing = await Setting.findById(SECRET_SETTING_ID).lean();
  if (existing) return existing.value;
  try {
    await Setting.create({ _id: SECRET_SETTING_ID, value: randomBytes(32).toString('base64url'), createdAt: deps.now });
    deps.logger.info(
      { event: 'dashboard_secret_generated' },
      'DASHBOARD_SECRET is not set: generated a dashboard secret and stored it in the settings collection',
    );
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const stored = await Setting.findById(SECRET_SETTING_ID).lean();
  if (!stored) throw new Error('the generated dashboard secret could not be read back');
  return stored.value;
}
