/**
 * Invites and staff ids through the real staff handler and store on a real
 * database: code strength, throttled guessing, listing and cancelling, the
 * second administrator's confirmation, a redemption that survives a failed
 * write, and staff ids that never overwrite one another.
 */
import type { InboundMessage } from '../../src/conversation/types';
import type { ConversationState } from '../../src/core/conversation-state';
import {
  CODE_BITS_PER_CHAR,
  createStaffStore,
  INVITE_CODE_LENGTH,
  randomCode,
  type StaffStore,
} from '../../src/storage/staff-store';
import { CONFIG_ADMIN_CHAT, createSupervisorKit, who, type SupervisorKit } from '../supervisor/supervisor-kit';

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_IN_TEXT = new RegExp(`([${ALPHABET}]{${INVITE_CODE_LENGTH}})\\n`);

let updates = 0;

/** A chat that keeps its conversation state between messages, as the inbound handler would. */
function chat(kit: SupervisorKit, chatId: string) {
  let state: ConversationState = { language: 'hi', quota: { day: '', count: 0 } };
  return {
    async start(code: string) {
      updates += 1;
      const msg: InboundMessage = {
        channel: 'telegram',
        chatId,
        updateKey: `i${updates}`,
        receivedAt: kit.clock.now(),
        firstName: 'नया',
        content: { kind: 'command', command: 'start', args: code },
      };
      const outcome = await kit.staffHandler.handle(msg, state, undefined);
      if (outcome) state = outcome.state;
      return { outcome, texts: kit.words('hi', outcome?.replies ?? []) };
    },
  };
}

async function invite(kit: SupervisorKit, admin: ReturnType<typeof who>, args: string): Promise<string> {
  const { texts } = await kit.command(admin, 'invite', args);
  const code = CODE_IN_TEXT.exec(texts[0] ?? '')?.[1];
  if (!code) throw new Error(`no invite code in: ${texts[0]}`);
  return code;
}

describe('invite codes', () => {
  test('carry at least 60 bits, uniformly drawn from the readable alphabet', () => {
    expect(INVITE_CODE_LENGTH * CODE_BITS_PER_CHAR).toBeGreaterThanOrEqual(60);
    const sample = randomCode(248_000);
    expect(new Set(sample)).toEqual(new Set(ALPHABET));
    const counts = new Map<string, number>();
    for (const c of sample) counts.set(c, (counts.get(c) ?? 0) + 1);
    // A byte taken modulo 31 favours the first 8 characters by 12.5%; a uniform draw stays within a percent or two.
    const mean = (chars: string) => [...chars].reduce((n, c) => n + (counts.get(c) ?? 0), 0) / chars.length;
    const ratio = mean(ALPHABET.slice(0, 8)) / mean(ALPHABET.slice(8));
    expect(ratio).toBeGreaterThan(0.97);
    expect(ratio).toBeLessThan(1.03);
  });
});

describe('invites', () => {
  let kit: SupervisorKit;
  let admin: ReturnType<typeof who>;
  const configAdmin = { chatId: CONFIG_ADMIN_CHAT };
  beforeAll(async () => {
    kit = await createSupervisorKit();
    admin = who(await kit.addStaff('admin', { name: 'पहले प्रशासक' }));
  });
  afterAll(() => kit.close());

  test('guessing is throttled per chat with a polite answer, and allowed again after an hour', async () => {
    const code = await invite(kit, admin, 'operator');
    expect(code).toHaveLength(INVITE_CODE_LENGTH);
    const guesser = chat(kit, '3001');
    for (let i = 0; i < 5; i++)
      expect((await guesser.start(`WRONGCODE${i}AAAA`)).texts).toEqual([
        kit.translator.t('hi', 'staff.invite_invalid'),
      ]);
    // Even the right code waits now.
    expect((await guesser.start(code)).texts).toEqual([kit.translator.t('hi', 'staff.invite_throttled')]);
    expect(await kit.staffStore.findActive('3001')).toBeNull();
    kit.clock.advance(61 * 60_000);
    const joined = await guesser.start(code);
    expect(joined.outcome?.staffChange).toMatchObject({ role: 'operator' });
  });

  test('/invite lists the pending invites; an administrator can cancel one', async () => {
    const a = await invite(kit, admin, 'officer FOOD');
    const b = await invite(kit, admin, 'counsellor');
    const listed = (await kit.command(admin, 'invite')).texts;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toContain(a);
    expect(listed[0]).toContain(b);
    expect((await kit.command(admin, 'invite', `cancel ${a}`)).texts).toEqual([
      kit.translator.t('hi', 'staff.invite_cancelled', { code: a }),
    ]);
    expect((await kit.command(admin, 'invite')).texts[0]).not.toContain(a);
    expect((await chat(kit, '3002').start(a)).texts).toEqual([kit.translator.t('hi', 'staff.invite_invalid')]);
    // Cancelling twice, or an unknown code, is answered politely.
    expect((await kit.command(admin, 'invite', `cancel ${a}`)).texts).toEqual([
      kit.translator.t('hi', 'staff.invite_not_pending', { code: a }),
    ]);
  });

  test('an administrator invite works only after a second administrator confirms it', async () => {
    const code = await invite(kit, admin, 'admin');
    const newcomer = chat(kit, '3003');
    expect((await newcomer.start(code)).texts).toEqual([kit.translator.t('hi', 'staff.invite_unconfirmed')]);
    // The other administrator was asked.
    const request = kit.translator.t('hi', 'staff.invite_confirm_request', { code });
    expect((await kit.queued()).some((m) => m.chatId === CONFIG_ADMIN_CHAT && m.message.text === request)).toBe(true);
    // Its creator cannot confirm it.
    expect((await kit.command(admin, 'invite', `confirm ${code}`)).texts).toEqual([
      kit.translator.t('hi', 'staff.invite_confirm_own', { code }),
    ]);
    expect((await kit.command(admin, 'invite')).texts[0]).toContain(
      kit.translator
        .t('hi', 'staff.invites_item_unconfirmed', {
          code,
          role: kit.translator.t('hi', 'staff.role.admin'),
          department: '',
          expires: '',
        })
        .split(' — ')[0] as string,
    );
    expect((await kit.command(configAdmin, 'invite', `confirm ${code}`)).texts).toEqual([
      kit.translator.t('hi', 'staff.invite_confirmed', { code }),
    ]);
    const joined = await newcomer.start(code);
    expect(joined.outcome?.staffChange).toMatchObject({ role: 'admin' });
  });

  test('other roles need no confirmation', async () => {
    const code = await invite(kit, admin, 'supervisor');
    expect((await kit.command(configAdmin, 'invite', `confirm ${code}`)).texts).toEqual([
      kit.translator.t('hi', 'staff.invite_confirm_not_needed', { code }),
    ]);
  });
});

describe('an invite is not burnt by a failure half-way', () => {
  let kit: SupervisorKit;
  let calls = 0;
  /** The staff record's write fails the first time: the moment between claiming the code and linking the chat. */
  const wrap = (s: StaffStore): StaffStore => ({
    ...s,
    upsertStaff: async (input) => {
      calls += 1;
      if (calls === 1) throw new Error('injected failure writing the staff record');
      return s.upsertStaff(input);
    },
  });
  beforeAll(async () => {
    kit = await createSupervisorKit({ wrapStaffStore: wrap });
  });
  afterAll(() => kit.close());

  test('the same chat sends the code again and joins; nobody else can take the code meanwhile', async () => {
    const admin = who(await kit.addStaff('admin'));
    const code = await invite(kit, admin, 'officer FOOD');
    const person = chat(kit, '4001');
    await expect(person.start(code)).rejects.toThrow('injected failure');
    expect(await kit.staffStore.findActive('4001')).toBeNull();
    // Someone else trying the code now is refused: it is claimed by the first chat.
    expect((await chat(kit, '4002').start(code)).texts).toEqual([kit.translator.t('hi', 'staff.invite_invalid')]);
    const joined = await person.start(code);
    expect(joined.outcome?.staffChange).toMatchObject({ role: 'officer', department: 'FOOD' });
    expect((await kit.staffStore.findActive('4001'))?.department).toBe('FOOD');
    expect((await kit.models.Invite.findById(code).lean())?.usedBy).toBe('telegram:4001');
  });
});

describe('staff ids', () => {
  let kit: SupervisorKit;
  beforeAll(async () => {
    kit = await createSupervisorKit();
  });
  afterAll(() => kit.close());

  test('a colliding id is drawn again; the existing record is never overwritten', async () => {
    const ids = ['SAME22', 'SAME22', 'OTHER3'];
    const store = createStaffStore(kit.models, { newStaffId: () => ids.shift() ?? 'SPARE4' });
    const base = { channel: 'telegram' as const, language: 'hi' as const, invitedBy: 'test', now: kit.clock.now() };
    const first = await store.upsertStaff({
      ...base,
      chatId: '5001',
      role: 'officer',
      department: 'FOOD',
      name: 'पहले',
    });
    const second = await store.upsertStaff({
      ...base,
      chatId: '5002',
      role: 'officer',
      department: 'HEALTH',
      name: 'दूसरे',
    });
    expect(first._id).toBe('SAME22');
    expect(second._id).toBe('OTHER3');
    expect(await store.findById('SAME22')).toMatchObject({ chatId: '5001', department: 'FOOD', name: 'पहले' });
    // The same chat again keeps its id (a re-invite, or a redemption finished on retry).
    const again = await store.upsertStaff({ ...base, chatId: '5001', role: 'supervisor', name: 'पहले' });
    expect(again._id).toBe('SAME22');
    expect(await store.findById('SAME22')).toMatchObject({ role: 'supervisor', active: true });
    expect((await store.findById('SAME22'))?.department).toBeUndefined();
  });
});
