import { Schema } from 'mongoose';
import type { Department } from '../domain/department';
import type { StaffRole } from '../domain/roles';
import type { ChannelName } from '../core/messages';

/** A staff member linked to one chat identity. */
export interface StaffDoc {
  _id: string;
  /** `channel:chatId`; one staff record per chat identity. */
  identityKey: string;
  channel: ChannelName;
  chatId: string;
  role: StaffRole;
  department?: string;
  name: string;
  language: 'hi' | 'en';
  active: boolean;
  joinedAt: Date;
  revokedAt?: Date;
  invitedBy: string;
}

/** A one-time invitation to take a staff role. */
export interface InviteDoc {
  _id: string;
  role: StaffRole;
  department?: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt?: Date;
  usedBy?: string;
  /** An administrator invite is usable only once another administrator confirmed it. */
  needsConfirmation?: boolean;
  confirmedBy?: string;
  confirmedAt?: Date;
  cancelledAt?: Date;
  cancelledBy?: string;
}

/**
 * Who is redeeming an invite. Inserted under the invite's code before the staff
 * record is written: the unique `_id` makes one chat the winner on every
 * backend, and the winner can finish a redemption that failed half-way.
 */
export interface InviteClaimDoc {
  _id: string;
  by: string;
  at: Date;
}

export type DepartmentDoc = Department & { _id: string; updatedAt: Date };

export const staffSchema = new Schema<StaffDoc>(
  {
    _id: { type: String, required: true },
    identityKey: { type: String, required: true },
    channel: { type: String, required: true },
    chatId: { type: String, required: true },
    role: { type: String, required: true },
    department: String,
    name: { type: String, required: true },
    language: { type: String, required: true, default: 'hi' },
    active: { type: Boolean, required: true },
    joinedAt: { type: Date, required: true },
    revokedAt: Date,
    invitedBy: { type: String, required: true },
  },
  { versionKey: false },
);
staffSchema.index({ identityKey: 1 }, { unique: true });
staffSchema.index({ role: 1, department: 1, active: 1 });

export const inviteSchema = new Schema<InviteDoc>(
  {
    _id: { type: String, required: true },
    role: { type: String, required: true },
    department: String,
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: Date,
    usedBy: String,
    needsConfirmation: Boolean,
    confirmedBy: String,
    confirmedAt: Date,
    cancelledAt: Date,
    cancelledBy: String,
  },
  { versionKey: false },
);
inviteSchema.index({ expiresAt: 1 });

export const inviteClaimSchema = new Schema<InviteClaimDoc>(
  { _id: { type: String, required: true }, by: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);

export const departmentSchemaDb = new Schema<DepartmentDoc>(
  {
    _id: { type: String, required: true },
    code: { type: String, required: true },
    name: { hi: { type: String, required: true }, en: { type: String, required: true } },
    categories: { type: [String], default: [] },
    blocks: { type: [String], default: [] },
    escalation: {
      // title: { hi, en }, or one string in departments saved before titles had two languages.
      type: [new Schema({ level: Number, title: Schema.Types.Mixed, telegramId: String }, { _id: false })],
      default: [],
    },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
