import type { Connection, Model, Schema } from 'mongoose';

/**
 * The connection's model `name` on `collection`: registered with `schema` on
 * first use and reused after, since mongoose refuses a second registration of
 * one name on a connection and several parts (and tests) open the same store
 * on one connection.
 * @example const Inbox = modelOnce<InboxItem>(conn, 'InboundInbox', inboxSchema, 'inbound_inbox');
 */
export function modelOnce<T>(conn: Connection, name: string, schema: Schema<T>, collection: string): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema, collection);
}
