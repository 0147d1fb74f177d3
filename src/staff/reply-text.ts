import type { Reply, Text } from '../core/messages';

/** An i18n key with its parameters. */
export const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });
/** A reply of one i18n key. */
export const say = (key: string, params?: Text['params']): Reply => ({ text: t(key, params) });
