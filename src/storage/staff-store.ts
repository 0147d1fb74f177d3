import { randomBytes } from 'node:crypto';
import type { ChannelName } from '../conversation/types';
import type { Department } from '../domain/department';
import type { StaffIdentity, StaffRole } from '../domain/roles';
import type { DepartmentDoc, InviteDoc, StaffDoc } from './staff-models';
import type { Models } from './models';

// Without 0/O/1/I/L: codes are read aloud and typed on phones.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A random code of `length` characters from an unambiguous alphabet. */
export function randomCode(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/** Staff, invites and departments. */
export interface StaffStore {
  createInvite(input: { role: StaffRole; department?: string; createdBy: string; now: Date; ttlHours: number }): Promise<InviteDoc>;
  /** Use an invite once: returns it, or null when unknown, used or expired. */
  redeemInvite(code: string, usedBy: string, now: Date): Promise<InviteDoc | null>;
  /** Create or re-activate the staff record of a chat identity with a new role. */
  upsertStaff(input: { channel: ChannelName; chatId: string; role: StaffRole; department?: string; name: string; language: 'hi' | 'en'; invitedBy: string; now: Date }): Promise<StaffDoc>;
  setLanguage(id: string, language: 'hi' | 'en'): Promise<void>;
  /** Active staff with one of the roles (supervisors and administrators for alerts). */
  activeWithRoles(roles: StaffRole[]): Promise<StaffDoc[]>;
  listActive(): Promise<StaffDoc[]>;
  findActive(idOrChat: string): Promise<StaffDoc | null>;
  findById(id: string): Promise<StaffDoc | null>;
  activeOfficers(department: string): Promise<StaffDoc[]>;
  /** End a person's role at once; null when there was no active role. */
  revoke(id: string, now: Date): Promise<StaffDoc | null>;
  /** Set (or clear) the role copy on the chat's conversation, bumping its version. */
  syncConversationRole(identityKey: string, staff: StaffIdentity | null): Promise<void>;
  departments(): Promise<Department[]>;
  saveDepartments(list: Department[], now: Date): Promise<number>;
}

/** The store over the Staff, Invite and Department models. */
export function createStaffStore(models: Models): StaffStore {
  const { Staff, Invite, Department, Conversation } = models;
  return {
    async createInvite({ role, department, createdBy, now, ttlHours }) {
      const doc: InviteDoc = {
        _id: randomCode(8),
        role,
        ...(department ? { department } : {}),
        createdBy,
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttlHours * 3_600_000),
      };
      await Invite.create(doc);
      return doc;
    },
    async redeemInvite(code, usedBy, now) {
      return Invite.findOneAndUpdate(
        { _id: code.toUpperCase(), usedAt: null, expiresAt: { $gt: now } },
        { $set: { usedAt: now, usedBy } },
        { returnDocument: 'after' },
      )
        .lean<InviteDoc>()
        .exec();
    },
    async upsertStaff({ channel, chatId, role, department, name, language, invitedBy, now }) {
      const identityKey = `${channel}:${chatId}`;
      const existing = await Staff.findOne({ identityKey }).lean<StaffDoc>().exec();
      const id = existing?._id ?? randomCode(6);
      const doc: StaffDoc = {
        _id: id,
        identityKey,
        channel,
        chatId,
        role,
        name,
        language,
        active: true,
        joinedAt: existing?.active ? existing.joinedAt : now,
        invitedBy,
      };
      if (department) doc.department = department;
      await Staff.replaceOne({ _id: id }, doc, { upsert: true }).exec();
      return doc;
    },
    async setLanguage(id, language) {
      await Staff.updateOne({ _id: id }, { $set: { language } }).exec();
    },
    async activeWithRoles(roles) {
      return Staff.find({ active: true, role: { $in: roles } }).lean<StaffDoc[]>().exec();
    },
    async listActive() {
      return Staff.find({ active: true }).sort({ role: 1, department: 1, joinedAt: 1 }).lean<StaffDoc[]>().exec();
    },
    async findActive(idOrChat) {
      const key = idOrChat.trim();
      return Staff.findOne({ active: true, $or: [{ _id: key.toUpperCase() }, { chatId: key }] })
        .lean<StaffDoc>()
        .exec();
    },
    async findById(id) {
      return Staff.findOne({ _id: id }).lean<StaffDoc>().exec();
    },
    async activeOfficers(department) {
      return Staff.find({ active: true, role: 'officer', department }).lean<StaffDoc[]>().exec();
    },
    async revoke(id, now) {
      return Staff.findOneAndUpdate({ _id: id, active: true }, { $set: { active: false, revokedAt: now } }, { returnDocument: 'after' })
        .lean<StaffDoc>()
        .exec();
    },
    async syncConversationRole(identityKey, staff) {
      const update = staff ? { $set: { staff }, $inc: { version: 1 } } : { $unset: { staff: '' }, $inc: { version: 1 } };
      await Conversation.collection.updateOne({ _id: identityKey } as never, update);
    },
    async departments() {
      const docs = await Department.find().sort({ code: 1 }).lean<DepartmentDoc[]>().exec();
      return docs.map(({ code, name, categories, blocks, escalation }) => ({ code, name, categories, blocks, escalation }));
    },
    async saveDepartments(list, now) {
      for (const d of list) {
        await Department.replaceOne({ _id: d.code }, { _id: d.code, ...d, updatedAt: now }, { upsert: true }).exec();
      }
      return list.length;
    },
  };
}
