import { Schema, type Connection } from 'mongoose';
import type { Clock } from '../../clock';
import { isDuplicateKey } from '../../db/duplicate-key';
import { withTimeLimit, type Timers } from '../../timers';
import { phoneOfWhatsAppId } from './whatsapp-inbound';
import type { WhatsAppClientLike } from './whatsapp-types';
import { modelOnce } from '../../db/model-once';

/** Who wrote, as the rest of the application knows them. */
export interface WhatsAppPerson {
  /** The one chat id this person is known by, whichever id form their message came from. */
  chatId: string;
  /** Their phone in E.164, when WhatsApp told us. */
  phone?: string;
}

/**
 * One stable identity per WhatsApp person. WhatsApp now delivers private
 * messages from linked ids (`…@lid`) and may switch a person between that and
 * their phone-number id (`…@c.us`) mid-conversation (whatsapp-web.js #3969).
 * Conversations, staff links, menus and citizen links are keyed on a chat id,
 * so every form is mapped, in the collection `whatsapp_ids`, to one chat id:
 * a form that already has a conversation (records from before the mapping),
 * else the phone-number form when WhatsApp names it (what phone-call tickets
 * use), else the first form seen. The mapping is never purged: one small
 * document per id form of a person who wrote.
 *
 * Lookups (`getContactLidAndPhone`) are remembered only when they gave a real
 * answer, and then for {@link IDENTITY_TTL_MS}; a failed or empty lookup is
 * asked again after {@link IDENTITY_RETRY_MS}, so a page error never leaves a
 * person without their number for good.
 */
export interface WhatsAppIdentities {
  /** The person behind a message's `from`; never throws for a lookup failure (the id itself is used). */
  resolve(client: WhatsAppClientLike, fromId: string): Promise<WhatsAppPerson>;
}

/** How long a real answer about a person's ids is trusted. */
export const IDENTITY_TTL_MS = 7 * 24 * 3_600_000;
/** When an id whose lookup failed or found nothing is asked about again. */
export const IDENTITY_RETRY_MS = 10 * 60_000;
/** How long one lookup may take before the message goes on without it. */
const LOOKUP_LIMIT_MS = 15_000;

interface IdDoc {
  _id: string;
  person: string;
  phone?: string;
  /** The lookup gave a real answer (a phone-number id for a linked id, or the reverse). */
  answered: boolean;
  checkedAt: Date;
}

const idSchema = new Schema<IdDoc>(
  {
    _id: { type: String, required: true },
    person: { type: String, required: true },
    phone: String,
    answered: { type: Boolean, required: true },
    checkedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

const LID = /^[0-9]{5,20}@lid$/;
const PN = /^[0-9]{5,20}@c\.us$/;

/** The identity map over its own collection. */
export async function createWhatsAppIdentities(deps: {
  conn: Connection;
  clock: Clock;
  timers: Timers;
  /** Whether a chat id already has a conversation (an officer linked before ids were mapped keeps their role). */
  knownChat?: (chatId: string) => Promise<boolean>;
}): Promise<WhatsAppIdentities> {
  const Ids = modelOnce<IdDoc>(deps.conn, 'WhatsAppId', idSchema, 'whatsapp_ids');
  await Ids.createIndexes();

  const find = (id: string) => Ids.findById(id).lean<IdDoc>().exec();

  function fresh(doc: IdDoc, now: Date): boolean {
    const age = now.getTime() - new Date(doc.checkedAt).getTime();
    return age >= 0 && age < (doc.answered ? IDENTITY_TTL_MS : IDENTITY_RETRY_MS);
  }

  /** Both forms, or undefined when WhatsApp Web could not be asked. */
  async function lookUp(client: WhatsAppClientLike, id: string): Promise<{ lid?: string; pn?: string } | undefined> {
    try {
      const found = await withTimeLimit(client.getContactLidAndPhone([id]), LOOKUP_LIMIT_MS, deps.timers, 'id lookup');
      const row = found.find((f) => f?.lid === id || f?.pn === id) ?? found[0];
      const lid = typeof row?.lid === 'string' && LID.test(row.lid) ? row.lid : undefined;
      const pn = typeof row?.pn === 'string' && PN.test(row.pn) ? row.pn : undefined;
      return { ...(lid ? { lid } : {}), ...(pn ? { pn } : {}) };
    } catch {
      return undefined;
    }
  }

  /** Record that `id` belongs to `person`; the first record of an id wins a race. Resolves with the id's person. */
  async function claim(id: string, person: string, set: Omit<IdDoc, '_id' | 'person'>): Promise<string> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const doc = await Ids.findOneAndUpdate(
          { _id: id },
          { $set: set, $setOnInsert: { person } },
          { upsert: true, new: true },
        )
          .lean<IdDoc>()
          .exec();
        return doc?.person ?? person;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    return (await find(id))?.person ?? person;
  }

  return {
    async resolve(client, fromId) {
      const now = deps.clock.now();
      const own = await find(fromId);
      const ownPhone = phoneOfWhatsAppId(fromId);
      if (own && fresh(own, now))
        return { chatId: own.person, ...((own.phone ?? ownPhone) ? { phone: own.phone ?? ownPhone } : {}) };

      const answer = await lookUp(client, fromId);
      const pn = answer?.pn ?? (PN.test(fromId) ? fromId : undefined);
      const lid = answer?.lid ?? (LID.test(fromId) ? fromId : undefined);
      const answered = Boolean(answer && (LID.test(fromId) ? answer.pn : answer.lid));
      const forms = [...new Set([fromId, pn, lid].filter((f): f is string => Boolean(f)))];

      // Whoever any form already belongs to; else a form with history; else the phone-number form.
      let person = own?.person;
      for (const form of forms) {
        if (person) break;
        if (form !== fromId) person = (await find(form))?.person;
      }
      for (const form of forms) {
        if (person || !deps.knownChat) break;
        if (await deps.knownChat(form).catch(() => false)) person = form;
      }
      person ??= pn ?? fromId;

      // A failed lookup keeps what an earlier real answer said, but is asked again soon.
      const phone = (pn && phoneOfWhatsAppId(pn)) ?? own?.phone;
      const set = { answered, checkedAt: now, ...(phone ? { phone } : {}) };
      const mine = await claim(fromId, person, set);
      for (const form of forms) if (form !== fromId && answered) await claim(form, mine, set);
      return { chatId: mine, ...(phone ? { phone } : {}) };
    },
  };
}
