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

/**
 * The administrators' chats named in the configuration, where their notices
 * go even without a staff record.
 * @example configuredAdminChats(config) // [{ channel: 'telegram', chatId: '123' }]
 */
export function configuredAdminChats(
  config: Pick<Config, 'ADMIN_TELEGRAM_IDS' | 'adminWebIds'>,
): Array<{ channel: 'telegram' | 'web'; chatId: string }> {
  return [
    ...config.ADMIN_TELEGRAM_IDS.map((chatId) => ({ channel: 'telegram' as const, chatId })),
    ...config.adminWebIds.map((chatId) => ({ channel: 'web' as const, chatId })),
  ];
}
