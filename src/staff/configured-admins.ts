import type { Config } from '../config';
import { configuredAdminId } from './staff-access';

/**
 * The staff ids of the administrators named in the configuration
 * (ADMIN_TELEGRAM_IDS, the web admin ids), as the staff router names them:
 * the dashboard and the simulator's login let them in without a staff record.
 * @example configuredAdminIds(config) // ['tg-admin-123', 'web-admin-abc']
 */
export function configuredAdminIds(config: Pick<Config, 'ADMIN_TELEGRAM_IDS' | 'adminWebIds'>): string[] {
  return [
    ...config.ADMIN_TELEGRAM_IDS.map((id) => configuredAdminId('telegram', id)),
    ...config.adminWebIds.map((id) => configuredAdminId('web', id)),
  ];
}
