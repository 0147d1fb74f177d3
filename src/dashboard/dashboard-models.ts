import { Schema, type Connection, type Model } from 'mongoose';
import type { StaffRole } from '../domain/roles';
import { modelOnce } from '../db/model-once';

/** One login link handed out by `/dashboard`; only a hash of the token is kept. */
export interface DashboardLoginDoc {
  /** SHA-256 of the token, hex. */
  _id: string;
  staffId: string;
  role: StaffRole;
  name: string;
  language: 'hi' | 'en';
  createdAt: Date;
  expiresAt: Date;
  /** Set once, when the link is opened; a second opening finds it set and is refused. */
  usedAt?: Date;
}

/** Which door a session opens. */
export type SessionKind = 'dashboard' | 'simulator';

/**
 * A signed-in browser. The cookie is signed and names this record; a cookie
 * whose record is gone (logout, revocation) is refused on its next request.
 */
export interface SessionDoc {
  /** SHA-256 of the session id in the cookie, hex: a copy of the database opens no session. */
  _id: string;
  kind: SessionKind;
  staffId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A small named setting of the whole installation (here: the generated dashboard secret). */
export interface SettingDoc {
  _id: string;
  value: string;
  createdAt: Date;
}

const loginSchema = new Schema<DashboardLoginDoc>(
  {
    _id: { type: String, required: true },
    staffId: { type: String, required: true },
    role: { type: String, required: true },
    name: { type: String, required: true },
    language: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: Date,
  },
  { versionKey: false },
);
// Old links are deleted by date when new ones are issued (no TTL index on FerretDB).
loginSchema.index({ expiresAt: 1 });

const sessionSchema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    staffId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
sessionSchema.index({ staffId: 1 });
sessionSchema.index({ expiresAt: 1 });

const settingSchema = new Schema<SettingDoc>(
  {
    _id: { type: String, required: true },
    value: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/** Collection names, for tests and maintenance. */
export const DASHBOARD_COLLECTIONS = {
  logins: 'dashboard_logins',
  sessions: 'dashboard_sessions',
  settings: 'settings',
} as const;

/** The dashboard's models on one connection. */
export interface DashboardModels {
  Login: Model<DashboardLoginDoc>;
  Session: Model<SessionDoc>;
  Setting: Model<SettingDoc>;
}

/**
 * Register the dashboard's schemas on a connection (once; later calls reuse
 * them) and build their indexes.
 */
export async function createDashboardModels(conn: Connection): Promise<DashboardModels> {
  const models: DashboardModels = {
    Login: modelOnce<DashboardLoginDoc>(conn, 'DashboardLogin', loginSchema, DASHBOARD_COLLECTIONS.logins),
    Session: modelOnce<SessionDoc>(conn, 'DashboardSession', sessionSchema, DASHBOARD_COLLECTIONS.sessions),
    Setting: modelOnce<SettingDoc>(conn, 'DashboardSetting', settingSchema, DASHBOARD_COLLECTIONS.settings),
  };
  await models.Login.createIndexes();
  await models.Session.createIndexes();
  await models.Setting.createIndexes();
  return models;
}
