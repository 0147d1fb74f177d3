import type { ChannelName } from '../../src/core/messages';
import { applyClosure } from '../../src/domain/ticket-closure';
import { applyAction, type TicketAction } from '../../src/domain/ticket-lifecycle';
import { formatReference, type Actor, type IntakeChannel, type TicketStatus } from '../../src/domain/ticket';
import type { TicketDoc } from '../../src/storage/models';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A deterministic random source (mulberry32), so a seed run can be repeated exactly. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pick a key of `weights` with probability proportional to its weight. */
export function pickWeighted<K extends string>(rnd: () => number, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  const total = entries.reduce((a, [, w]) => a + w, 0);
  let x = rnd() * total;
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

/**
 * Shares of complaints by category, as the source document's call centre saw
 * them: stranded family members and ration first, then passes, health, other.
 */
export const CATEGORY_WEIGHTS = { stranded: 30, ration: 30, travel: 15, health: 15, other: 10 } as const;
/** Shares by block: the district town largest, the remote blocks smaller. */
export const BLOCK_WEIGHTS = { alirajpur: 26, jobat: 18, bhabra: 16, kathiwada: 10, sondwa: 16, udaigarh: 14 } as const;
/** Shares by intake line: chat first, the helplines and the mobile number as in the press note (55 vs 63 calls). */
export const INTAKE_WEIGHTS: Readonly<Record<IntakeChannel, number>> = {
  telegram: 42,
  whatsapp: 30,
  web: 3,
  phone181: 8,
  phone104: 7,
  mobile: 10,
};

/** What the generator needs to know about the district. */
export interface SeedContext {
  district: string;
  /** Category id → handling department and its deadlines. */
  categories: ReadonlyMap<string, { department: string; acknowledgeHours: number; resolveHours: number }>;
  /** Officers' staff ids per department (at least one each). */
  officers: ReadonlyMap<string, readonly string[]>;
  /** Operators' staff ids and chats, who log telephone calls. */
  operators: ReadonlyArray<{ id: string; channel: ChannelName; chatId: string }>;
  /** Citizens to spread the tickets over. */
  citizens: number;
  /** The tickets span [end - days, end). */
  end: Date;
  days: number;
  total: number;
  /** Number of the first reference. */
  firstSeq: number;
}

/** One seeded citizen: a chat on one channel, with a lasting citizen id and language. */
export interface SeedCitizen {
  citizenId: string;
  channel: ChannelName;
  chatId: string;
  language: 'hi' | 'en';
  phone: string;
}

/** The i-th citizen, the same every time (ids are stable, so a seed with --force adds to the same people). */
export function seedCitizen(i: number): SeedCitizen {
  const rnd = createRandom(0x5eed0000 + i);
  const channel: ChannelName = rnd() < 0.6 ? 'telegram' : rnd() < 0.95 ? 'whatsapp' : 'web';
  const phone = `+91${String(7_000_000_000 + ((i * 7_919) % 2_999_999_999)).padStart(10, '0')}`;
  const chatId = channel === 'whatsapp' ? `${phone.slice(1)}@c.us` : String(5_000_000_000 + i);
  return { citizenId: `seed-citizen-${i}`, channel, chatId, language: rnd() < 0.85 ? 'hi' : 'en', phone };
}

const LOCALITIES = ['वार्ड', 'ग्राम पंचायत', 'फलिया', 'मोहल्ला', 'Ward', 'Village'];
const PLACES = ['बस स्टैंड के पास', 'स्कूल के पीछे', 'मंदिर के सामने', 'हाट बाज़ार', 'near the tank', 'main road'];

/** Descriptions by category, in Hindi and English, as citizens write them. */
const DESCRIPTIONS: Record<string, { hi: string[]; en: string[] }> = {
  stranded: {
    hi: [
      'मेरा बेटा गुजरात में फँसा है, घर वापस आना है',
      'परिवार के चार लोग इंदौर में अटके हैं, मदद करें',
      'भाई मजदूरी करने गया था, वापस नहीं आ पा रहा',
    ],
    en: ['My son is stuck in Gujarat and wants to come home', 'Four family members stranded in Indore, please help'],
  },
  ration: {
    hi: ['दो महीने से राशन नहीं मिला', 'राशन दुकान वाला अनाज कम दे रहा है', 'पर्ची होने पर भी गेहूं नहीं मिला'],
    en: ['No ration for two months', 'The ration shop gives less grain than due'],
  },
  travel: {
    hi: ['ज़िले से बाहर जाने के लिए पास चाहिए', 'बीमार माँ को अस्पताल ले जाने की अनुमति चाहिए'],
    en: ['Need a pass to travel to Dahod', 'Permission to take my mother to hospital'],
  },
  health: {
    hi: ['गाँव में कई लोगों को बुखार है, जाँच करवाएँ', 'बाहर से लौटे लोगों की जाँच नहीं हुई'],
    en: ['Several people in the village have fever', 'Returned workers have not been checked'],
  },
  other: {
    hi: ['हैंडपंप दो हफ़्ते से खराब है', 'गाँव में बिजली नहीं है', 'मज़दूरी का पैसा नहीं मिला'],
    en: ['The hand pump has been broken for two weeks', 'No electricity in the village'],
  },
};
const OFFICER_NOTES = {
  hi: ['मौके पर टीम भेजी है', 'सूची में नाम जोड़ दिया है', 'संबंधित सचिव को निर्देश दिए', 'समस्या का समाधान कर दिया गया है'],
  en: ['Team sent to the site', 'Name added to the list', 'Secretary instructed', 'The problem has been solved'],
};

/** Take a random element. */
function one<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!;
}

/**
 * Where an older ticket has got to. Tickets older than two weeks are nearly
 * all closed; recent ones are spread over the open statuses.
 */
function targetStatus(rnd: () => number, ageMs: number): TicketStatus {
  if (ageMs > 14 * DAY_MS)
    return rnd() < 0.99 ? 'closed' : pickWeighted(rnd, { in_progress: 2, acknowledged: 1, reopened: 1, assigned: 1 });
  if (ageMs > 3 * DAY_MS)
    return pickWeighted(rnd, {
      closed: 55,
      resolved: 15,
      in_progress: 12,
      acknowledged: 8,
      assigned: 5,
      reopened: 3,
      new: 2,
    });
  return pickWeighted(rnd, {
    new: 8,
    assigned: 20,
    acknowledged: 20,
    in_progress: 22,
    resolved: 18,
    closed: 10,
    reopened: 2,
  });
}

/**
 * The i-th of `ctx.total` seeded tickets: its life is played through the
 * domain's own state machine (applyAction, applyClosure), so every history is
 * one the product could have written. Deterministic in `i`.
 */
export function seedTicket(i: number, ctx: SeedContext, rnd: () => number): TicketDoc {
  const start = ctx.end.getTime() - ctx.days * DAY_MS;
  // Tickets are in reference order over the span, with a little jitter.
  const createdMs = Math.min(ctx.end.getTime() - 60_000, start + ((i + rnd()) / ctx.total) * ctx.days * DAY_MS);
  const createdAt = new Date(createdMs);
  const categoryId = pickWeighted(rnd, CATEGORY_WEIGHTS);
  const category = ctx.categories.get(categoryId) ?? { department: 'CONTROL', acknowledgeHours: 24, resolveHours: 72 };
  const intake = pickWeighted(rnd, INTAKE_WEIGHTS);
  const citizen = seedCitizen(Math.floor(rnd() * ctx.citizens));
  const onPhone = intake === 'phone181' || intake === 'phone104' || intake === 'mobile';
  const operator = onPhone && ctx.operators.length ? one(rnd, ctx.operators) : undefined;
  const language = citizen.language;
  const texts = DESCRIPTIONS[categoryId] ?? DESCRIPTIONS.other!;
  const description = `${one(rnd, texts[language])} (${i + 1})`;
  const citizenActor: Actor =
    onPhone && operator
      ? { kind: 'staff', id: operator.id, role: 'operator' }
      : { kind: 'citizen', id: citizen.citizenId };
  const phone = onPhone
    ? `+91${String(6_000_000_000 + Math.floor(rnd() * 3_999_999_999))}`
    : rnd() < 0.4
      ? citizen.phone
      : undefined;

  let status: TicketStatus = 'new';
  let at = createdMs;
  const t: TicketDoc = {
    ref: formatReference(ctx.district, ctx.firstSeq + i),
    idempotencyKey: `seed:${ctx.district}:${ctx.firstSeq + i}`,
    district: ctx.district,
    citizenId: onPhone && phone ? `phone:${phone}` : citizen.citizenId,
    channel: operator ? operator.channel : citizen.channel,
    chatId: operator ? operator.chatId : citizen.chatId,
    language,
    category: categoryId,
    department: category.department,
    block: pickWeighted(rnd, BLOCK_WEIGHTS),
    locality: `${one(rnd, LOCALITIES)} ${1 + Math.floor(rnd() * 20)}, ${one(rnd, PLACES)}`,
    ...(rnd() < 0.1 ? { location: { lat: 22.3 + rnd() * 0.3, lon: 74.3 + rnd() * 0.4 } } : {}),
    description,
    attachments: rnd() < 0.08 ? [{ kind: 'photo', fileId: `seed-photo-${i}` }] : [],
    ...(phone ? { phone } : {}),
    status,
    ackDueAt: new Date(createdMs + category.acknowledgeHours * HOUR_MS),
    resolveDueAt: new Date(createdMs + category.resolveHours * HOUR_MS),
    createdAt,
    updatedAt: createdAt,
    history: [{ at: createdAt, by: citizenActor, action: 'created', to: 'new', ...(operator ? { text: intake } : {}) }],
    intake,
    ...(operator ? { loggedBy: operator.id } : {}),
    level: 1,
    reopenCount: 0,
  };

  const ageMs = ctx.end.getTime() - createdMs;
  const target = targetStatus(rnd, ageMs);
  // Steps happen within the time the ticket has had, never after `end`.
  const step = (maxHours: number) => {
    at = Math.min(ctx.end.getTime() - 1000, at + (0.1 + rnd() * maxHours) * HOUR_MS);
    return new Date(at);
  };
  const officers = ctx.officers.get(category.department) ?? [];
  const officer = officers.length ? one(rnd, officers) : undefined;
  const system: Actor = { kind: 'system', id: 'router' };
  const byOfficer: Actor = officer ? { kind: 'staff', id: officer, role: 'officer' } : system;
  const act = (action: TicketAction, by: Actor, when: Date) => {
    const r = applyAction(status, action, by, when);
    status = r.to;
    t.history.push(r.entry);
    t.updatedAt = when;
  };
  const note = () => one(rnd, OFFICER_NOTES[language]);

  if (target === 'new') {
    act({ type: 'assign', department: category.department }, system, createdAt);
  } else {
    act(
      { type: 'assign', department: category.department, ...(officer ? { officerId: officer } : {}) },
      system,
      createdAt,
    );
    if (officer) t.assignedTo = officer;
  }
  const escalate = (when: Date) => {
    t.level += 1;
    t.escalatedAt = when;
    t.history.push({
      at: when,
      by: { kind: 'system', id: 'sla' },
      action: 'escalate',
      text: rnd() < 0.5 ? 'ack_overdue' : 'resolve_overdue',
    });
  };
  if (target === 'new' || target === 'assigned') {
    if (ageMs > category.acknowledgeHours * HOUR_MS && rnd() < 0.6)
      escalate(new Date(t.ackDueAt.getTime() + 5 * 60_000));
    t.status = status;
    return t;
  }
  // Acknowledged, sometimes late (then escalated on the way).
  const lateAck = rnd() < 0.12;
  if (lateAck) escalate(new Date(t.ackDueAt.getTime() + 5 * 60_000));
  const ackAt = lateAck
    ? new Date(t.ackDueAt.getTime() + (1 + rnd() * 6) * HOUR_MS)
    : step(category.acknowledgeHours * 0.8);
  at = Math.max(at, ackAt.getTime());
  act({ type: 'acknowledge' }, byOfficer, new Date(at));
  t.acknowledgedAt = new Date(at);
  if (target === 'acknowledged') {
    t.status = status;
    return t;
  }
  if (rnd() < 0.15) {
    act(
      { type: 'ask', text: language === 'hi' ? 'कृपया राशन कार्ड नंबर भेजें' : 'Please send the ration card number' },
      byOfficer,
      step(12),
    );
    act({ type: 'citizen_reply', text: '1234 5678 9012' }, { kind: 'citizen', id: t.citizenId }, step(6));
  }
  act({ type: 'update', text: note() }, byOfficer, step(24));
  if (target === 'in_progress') {
    t.status = status;
    return t;
  }
  const resolveOnce = () => {
    const when = step(category.resolveHours * 0.6);
    act({ type: 'resolve', text: note() }, byOfficer, when);
    t.resolvedAt = when;
  };
  resolveOnce();
  // Some are reopened by a poor rating, worked again and resolved again.
  const reopenings = target === 'reopened' ? 1 : rnd() < 0.08 ? 1 : 0;
  for (let r = 0; r < reopenings; r++) {
    const rating = 1 + Math.floor(rnd() * 2);
    const when = step(24);
    const c = applyClosure(status, { type: 'reopen', rating }, { kind: 'citizen', id: t.citizenId }, when);
    status = c.to;
    t.history.push(c.entry);
    t.reopenCount += 1;
    t.feedback = { rating, satisfied: false, at: when };
    t.updatedAt = when;
    delete t.resolvedAt;
    if (target === 'reopened') {
      t.status = status;
      return t;
    }
    act({ type: 'update', text: note() }, byOfficer, step(24));
    resolveOnce();
  }
  if (target === 'resolved') {
    t.status = status;
    return t;
  }
  // Closed: rated (mostly satisfied) or closed after the feedback window without an answer.
  const rated = rnd() < 0.7;
  const when = rated
    ? step(48)
    : new Date(Math.min(ctx.end.getTime() - 1000, (t.resolvedAt?.getTime() ?? at) + 7 * DAY_MS));
  at = Math.max(at, when.getTime());
  const rating = rated ? pickWeighted(rnd, { '5': 45, '4': 30, '3': 15 }) : undefined;
  const c = applyClosure(
    status,
    rating ? { type: 'close', rating: Number(rating) } : { type: 'close_no_feedback' },
    rating ? { kind: 'citizen', id: t.citizenId } : { kind: 'system', id: 'feedback' },
    when,
  );
  status = c.to;
  t.history.push(c.entry);
  if (rating) t.feedback = { rating: Number(rating), satisfied: true, at: when };
  t.closedAt = when;
  t.updatedAt = when;
  t.status = status;
  return t;
}
