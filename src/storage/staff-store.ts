import { randomBytes } from 'node:crypto';
import type { Department } from '../domain/department';
import type { StaffIdentity, StaffRole } from '../domain/roles';
import type { DepartmentDoc, InviteClaimDoc, InviteDoc, StaffDoc } from './staff-models';
import { isDuplicateKey } from '../db/duplicate-key';
import type { Models } from './models';

// Without 0/O/1/I/L: codes are read aloud and typed on phones.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Bits of chance in one character of {@link randomCode}. */
export const CODE_BITS_PER_CHAR = Math.log2(CODE_ALPHABET.length);
/** Invite codes carry at least 60 bits: 13 characters of 31 (64 bits), beyond guessing even without the throttle. */
export const INVITE_CODE_LENGTH = Math.ceil(60 / CODE_BITS_PER_CHAR);
/** Staff ids are typed by administrators (`/revoke ID`): short, and never reused, as collisions are retried. */
const STAFF_ID_LENGTH = 6;
// The largest multiple of the alphabet's size below 256: bytes above it are thrown away, so every character is equally likely.
const UNBIASED_LIMIT = 256 - (256 % CODE_ALPHABET.length);

/** Whether `code` could be an invite code (any length this or an older version made). */
export function looksLikeInviteCode(code: string): boolean {
  return /^[A-Za-z0-9]{6,16}$/.test(code);
}

/** A random code of `length` characters, uniform over an unambiguous alphabet (crypto bytes, rejection sampling). */
export function randomCode(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b >= UNBIASED_LIMIT) continue;
      out += CODE_ALPHABET[b % CODE_ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Why an invite cannot be redeemed: unknown, used, cancelled or expired; awaiting confirmation; or a reason the caller's check gave. */
export type InviteRefusal = 'invalid' | 'unconfirmed' | (string & {});

/** What {@link StaffStore.upsertStaff} takes: a chat identity, the role it gets, and when and by whom. */
export interface NewStaff extends Pick<
  StaffDoc,
  'channel' | 'chatId' | 'role' | 'department' | 'name' | 'language' | 'invitedBy'
> {
  /** The time of the change (a new or re-activated record's joining date). */
  now: Date;
}

/** What {@link createStaffStore} may be given besides the models (tests pass a generator that collides). */
export interface StaffStoreOptions {
  newStaffId?: () => string;
}

/** Staff, invites and departments. */
export interface StaffStore {
  /** A new invite; an administrator invite waits for another administrator's confirmation. */
  createInvite(input: {
    role: StaffRole;
    department?: string;
    createdBy: string;
    now: Date;
    ttlHours: number;
  }): Promise<InviteDoc>;
  /**
   * Claim an invite for a chat identity (`channel:chatId`): a uniquely keyed
   * claim document names the one chat that may use it. The same chat claiming
   * again gets the invite again, so a redemption that failed before the staff
   * record was written can be finished by sending the code once more.
   */
  claimInvite(
    code: string,
    by: string,
    now: Date,
    refuse?: (invite: InviteDoc) => Promise<string | undefined>,
  ): Promise<{ ok: true; invite: InviteDoc } | { ok: false; reason: InviteRefusal }>;
  /** Record on the invite that it was used (after the staff record exists). */
  markInviteUsed(code: string, by: string, now: Date): Promise<void>;
  /** Claim and mark used in one call: the invite, or null when it cannot be used. */
  redeemInvite(code: string, usedBy: string, now: Date): Promise<InviteDoc | null>;
  /** Invites not yet used, cancelled or expired, newest first. */
  pendingInvites(now: Date): Promise<InviteDoc[]>;
  /** Cancel a pending invite; null when there is no such pending invite. */
  cancelInvite(code: string, by: string, now: Date): Promise<InviteDoc | null>;
  /** Confirm a pending administrator invite by another administrator. */
  confirmInvite(
    code: string,
    by: string,
    now: Date,
  ): Promise<{ ok: true; invite: InviteDoc } | { ok: false; reason: 'not_found' | 'not_needed' | 'own' }>;
  /**
   * Create or re-activate the staff record of a chat identity with a new role.
   * A new record gets a fresh id by a unique insert (a colliding id is drawn
   * again); an existing one is updated in place: no record is ever replaced.
   */
  upsertStaff(input: NewStaff): Promise<StaffDoc>;
  setLanguage(id: string, language: 'hi' | 'en'): Promise<void>;
  /** Active staff with one of the roles (supervisors and administrators for alerts). */
  activeWithRoles(roles: StaffRole[]): Promise<StaffDoc[]>;
  listActive(): Promise<StaffDoc[]>;
  findActive(idOrChat: string): Promise<StaffDoc | null>;
  findById(id: string): Promise<StaffDoc | null>;
  /** For /revoke: the active record of an id or chat id, else the latest revoked one (to finish a half-done revocation). */
  findForRevoke(idOrChat: string): Promise<StaffDoc | null>;
  activeOfficers(department: string): Promise<StaffDoc[]>;
  /** End a person's role at once; null when there was no active role. */
  revoke(id: string, now: Date): Promise<StaffDoc | null>;
  /** Set (or clear) the role copy on the chat's conversation, bumping its version. */
  syncConversationRole(identityKey: string, staff: StaffIdentity | null): Promise<void>;
  departments(): Promise<Department[]>;
  saveDepartments(list: Department[], now: Date): Promise<number>;
}

/** The store over the Staff, Invite and Department models. */
export function createStaffStore(models: Models, options: StaffStoreOptions = {}): StaffStore {
  const { Staff, Invite, InviteClaim, Department, Conversation, ChatProfile } = models;
  const newStaffId = options.newStaffId ?? (() => randomCode(STAFF_ID_LENGTH));
  const isPending = (i: InviteDoc, now: Date) => !i.usedAt && !i.cancelledAt && i.expiresAt.getTime() > now.getTime();

  async function claimInvite(
    code: string,
    by: string,
    now: Date,
    refuse?: (invite: InviteDoc) => Promise<string | undefined>,
  ): Promise<{ ok: true; invite: InviteDoc } | { ok: false; reason: InviteRefusal }> {
    const invite = await Invite.findOne({ _id: code.toUpperCase() }).lean<InviteDoc>().exec();
    if (!invite || invite.cancelledAt || invite.expiresAt.getTime() <= now.getTime())
      return { ok: false, reason: 'invalid' };
    const refusal = await refuse?.(invite);
    if (refusal) return { ok: false, reason: refusal };
    if (invite.usedBy && invite.usedBy !== by) return { ok: false, reason: 'invalid' };
    if (invite.needsConfirmation && !invite.confirmedBy) return { ok: false, reason: 'unconfirmed' };
    try {
      await InviteClaim.create({ _id: invite._id, by, at: now });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const claim = await InviteClaim.findOne({ _id: invite._id }).lean<InviteClaimDoc>().exec();
      if (claim?.by !== by) return { ok: false, reason: 'invalid' };
    }
    return { ok: true, invite };
  }

  async function markInviteUsed(code: string, by: string, now: Date): Promise<void> {
    await Invite.updateOne({ _id: code.toUpperCase(), usedAt: null }, { $set: { usedAt: now, usedBy: by } }).exec();
  }

  return {
    async createInvite({ role, department, createdBy, now, ttlHours }) {
      for (let attempt = 1; ; attempt++) {
        const doc: InviteDoc = {
          _id: randomCode(INVITE_CODE_LENGTH),
          role,
          ...(department ? { department } : {}),
          createdBy,
          createdAt: now,
          expiresAt: new Date(now.getTime() + ttlHours * 3_600_000),
          ...(role === 'admin' ? { needsConfirmation: true } : {}),
        };
        try {
          await Invite.create(doc);
          return doc;
        } catch (err) {
          if (!isDuplicateKey(err) || attempt >= 5) throw err;
        }
      }
    },
    claimInvite,
    markInviteUsed,
    async redeemInvite(code, usedBy, now) {
      const claim = await claimInvite(code, usedBy, now);
      if (!claim.ok) return null;
      await markInviteUsed(code, usedBy, now);
      return claim.invite;
    },
    async pendingInvites(now) {
      const all = await Invite.find({ usedAt: null, cancelledAt: null, expiresAt: { $gt: now } })
        .lean<InviteDoc[]>()
        .exec();
      return all.filter((i) => isPending(i, now)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },
    async cancelInvite(code, by, now) {
      const invite = await Invite.findOne({ _id: code.toUpperCase() }).lean<InviteDoc>().exec();
      if (!invite || !isPending(invite, now)) return null;
      await Invite.updateOne({ _id: invite._id }, { $set: { cancelledAt: now, cancelledBy: by } }).exec();
      return { ...invite, cancelledAt: now, cancelledBy: by };
    },
    async confirmInvite(code, by, now) {
      const invite = await Invite.findOne({ _id: code.toUpperCase() }).lean<InviteDoc>().exec();
      if (!invite || !isPending(invite, now)) return { ok: false, reason: 'not_found' };
      if (!invite.needsConfirmation || invite.confirmedBy) return { ok: false, reason: 'not_needed' };
      if (invite.createdBy === by) return { ok: false, reason: 'own' };
      await Invite.updateOne({ _id: invite._id }, { $set: { confirmedBy: by, confirmedAt: now } }).exec();
      return { ok: true, invite: { ...invite, confirmedBy: by, confirmedAt: now } };
    },
    async upsertStaff({ channel, chatId, role, department, name, language, invitedBy, now }) {
      const identityKey = `${channel}:${chatId}`;
      for (let attempt = 1; ; attempt++) {
        const existing = await Staff.findOne({ identityKey }).lean<StaffDoc>().exec();
        if (existing) {
          // The same person again (re-invited, or a redemption finished on retry): their id and tickets stay theirs.
          const doc: StaffDoc = {
            ...existing,
            role,
            name,
            language,
            active: true,
            joinedAt: existing.active ? existing.joinedAt : now,
            invitedBy,
          };
          delete doc.revokedAt;
          delete doc.department;
          if (department) doc.department = department;
          await Staff.updateOne(
            { _id: existing._id },
            {
              $set: {
                role,
                name,
                language,
                active: true,
                joinedAt: doc.joinedAt,
                invitedBy,
                ...(department ? { department } : {}),
              },
              $unset: { revokedAt: '', ...(department ? {} : { department: '' }) },
            },
          ).exec();
          return doc;
        }
        const doc: StaffDoc = {
          _id: newStaffId(),
          identityKey,
          channel,
          chatId,
          role,
          name,
          language,
          active: true,
          joinedAt: now,
          invitedBy,
        };
        if (department) doc.department = department;
        try {
          // A plain insert: an id already held by someone else fails here instead of taking over their record.
          await Staff.create(doc);
          return doc;
        } catch (err) {
          if (!isDuplicateKey(err) || attempt >= 8) throw err;
          // Either the id was taken (draw again) or this chat was linked concurrently (update it above).
        }
      }
    },
    async setLanguage(id, language) {
      await Staff.updateOne({ _id: id }, { $set: { language } }).exec();
    },
    async activeWithRoles(roles) {
      return Staff.find({ active: true, role: { $in: roles } })
        .lean<StaffDoc[]>()
        .exec();
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
    async findForRevoke(idOrChat) {
      const key = idOrChat.trim();
      const all = await Staff.find({ $or: [{ _id: key.toUpperCase() }, { chatId: key }] })
        .lean<StaffDoc[]>()
        .exec();
      const active = all.find((s) => s.active);
      if (active) return active;
      return all.sort((a, b) => (b.revokedAt?.getTime() ?? 0) - (a.revokedAt?.getTime() ?? 0))[0] ?? null;
    },
    async activeOfficers(department) {
      return Staff.find({ active: true, role: 'officer', department }).lean<StaffDoc[]>().exec();
    },
    async revoke(id, now) {
      return Staff.findOneAndUpdate(
        { _id: id, active: true },
        { $set: { active: false, revokedAt: now } },
        { returnDocument: 'after' },
      )
        .lean<StaffDoc>()
        .exec();
    },
    async syncConversationRole(identityKey, staff) {
      const update = staff
        ? { $set: { staff }, $inc: { version: 1 } }
        : { $unset: { staff: '' }, $inc: { version: 1 } };
      await Conversation.collection.updateOne({ _id: identityKey } as never, update);
      // The profile too: it is what the chat is known by after its idle conversation is removed.
      await ChatProfile.collection.updateOne(
        { _id: identityKey } as never,
        staff ? { $set: { staff } } : { $unset: { staff: '' } },
      );
    },
    async departments() {
      const docs = await Department.find().sort({ code: 1 }).lean<DepartmentDoc[]>().exec();
      return docs.map(({ code, name, categories, blocks, escalation }) => ({
        code,
        name,
        categories,
        blocks,
        escalation,
      }));
    },
    async saveDepartments(list, now) {
      for (const d of list) {
        await Department.replaceOne({ _id: d.code }, { _id: d.code, ...d, updatedAt: now }, { upsert: true }).exec();
      }
      return list.length;
    },
  };
}
