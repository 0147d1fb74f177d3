import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import mongoose from 'mongoose';
import { createTranslator } from '../../../src/i18n/create-i18n';
import { createFakeTelegramApi, type FakeTelegramApi, type RecordedCall } from '../../support/fake-telegram-api';
import { dropPrivateDb, privateDbUri, ROOT, startService, stopService } from '../../support/service-process';
import { callbackQuery, command, textMessage } from '../../support/telegram-updates';

jest.setTimeout(180_000);

const TOKEN = '555444333:CONTROL-token-abcdefghijklmnopqrstuv';
const ADMIN = 1000;
const COUNSELLOR = 2001;
const OPERATOR = 3001;
const OFFICER = 4001;
const CITIZEN_1 = 5001;
const CITIZEN_2 = 5002;
const CITIZEN_3 = 5003;
/** Notices pass the outbox at Telegram's real pace (1 message a second per chat). */
const WAIT = 30_000;

const text = (c: RecordedCall): string => String(c.params.text ?? c.params.caption ?? '');

/**
 * The control room through the real service process and the real grammY bot,
 * against a fake Bot API: two citizens with one counsellor at once, an
 * operator's call with the caller's number, and a rating typed in Devanagari.
 */
describe('control room end to end over Telegram (service process)', () => {
  let api: FakeTelegramApi;
  let child: ChildProcess | undefined;
  const dbName = `control_${randomBytes(4).toString('hex')}`;
  const tr = createTranslator(path.join(ROOT, 'locales'));
  const hi = (key: string, params?: Record<string, unknown>) => tr.t('hi', key, params);

  /** The first message to `chat`, sent after the first `after` ones, whose text satisfies `pred`. */
  function next(chat: number, after: number, pred: (s: string) => boolean): Promise<RecordedCall> {
    return api.waitFor(
      () =>
        api
          .sent(chat)
          .slice(after)
          .find((c) => pred(text(c))),
      WAIT,
    );
  }
  const count = (chat: number) => api.sent(chat).length;

  /** Push an update and wait for a message to `chat` that satisfies `pred`. */
  async function act(
    chat: number,
    update: Parameters<FakeTelegramApi['pushUpdate']>[0],
    pred: (s: string) => boolean,
  ): Promise<RecordedCall> {
    const before = count(chat);
    api.pushUpdate(update);
    return next(chat, before, pred);
  }

  async function join(user: number, role: string, dept = ''): Promise<void> {
    const invite = await act(ADMIN, command(ADMIN, '/invite', `${role} ${dept}`.trim()), (s) => /start=\w+/.test(s));
    const code = /start=(\w+)/.exec(text(invite))?.[1] as string;
    await act(user, command(user, '/start', code), (s) => s.includes(hi(`staff.role.${role}`)));
  }

  async function askForCounsellor(user: number): Promise<void> {
    await act(user, command(user, '/new'), (s) => s.includes(hi('intake.category.prompt')));
    await act(user, callbackQuery(user, 'category|health'), (s) => s.includes(hi('intake.counsellor.offer')));
    await act(user, callbackQuery(user, 'category.counsel|talk'), (s) => s === hi('counsellor.connected'));
  }

  beforeAll(async () => {
    api = createFakeTelegramApi({ token: TOKEN });
    const { apiRoot } = await api.start();
    child = await startService({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      MONGODB_URI: privateDbUri(dbName),
      ADMIN_TELEGRAM_IDS: String(ADMIN),
      JOBS_ENABLED: 'false',
    });
    await join(COUNSELLOR, 'counsellor');
    await join(OPERATOR, 'operator');
    await join(OFFICER, 'officer', 'CONTROL');
  });

  afterAll(async () => {
    if (child) await stopService(child, 'SIGTERM');
    await api.stop();
    await dropPrivateDb(dbName);
  });

  test('two citizens with the counsellor at once: words go only where the counsellor was told', async () => {
    const language = hi('language.hi');
    const c0 = count(COUNSELLOR);
    await askForCounsellor(CITIZEN_1);
    await next(COUNSELLOR, c0, (s) => s === hi('counsellor.new_session', { session: 'S-0001', language }));

    // The second citizen is announced as not active, with a button to switch.
    await askForCounsellor(CITIZEN_2);
    const second = await next(COUNSELLOR, c0, (s) => s.startsWith('🩺') && s.includes('S-0002'));
    expect(text(second)).toBe(hi('counsellor.new_session_inactive', { session: 'S-0002', language, active: 'S-0001' }));
    const markup = second.params.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> };
    expect(markup.inline_keyboard.flat().map((b) => b.callback_data)).toEqual(['cs|S-0002']);

    // The counsellor's next words reach the first citizen, not the second.
    const toFirst = hi('counsellor.from_counsellor', { text: 'खूब पानी पिएँ' });
    api.pushUpdate(textMessage(COUNSELLOR, 'खूब पानी पिएँ'));
    await next(CITIZEN_1, 0, (s) => s === toFirst);

    // The first citizen leaves: nothing is active, /sessions says so, typed words reach nobody.
    await act(CITIZEN_1, command(CITIZEN_1, '/end'), (s) => s === hi('counsellor.you_left'));
    await next(COUNSELLOR, c0, (s) => s === hi('counsellor.citizen_left_active', { session: 'S-0001' }));
    const sessions = await act(COUNSELLOR, command(COUNSELLOR, '/sessions'), (s) => s.includes('(1)'));
    expect(text(sessions)).toBe(hi('counsellor.sessions_none_active', { count: 1 }));
    await act(
      COUNSELLOR,
      textMessage(COUNSELLOR, 'और कुछ?'),
      (s) => s === hi('counsellor.active_ended', { session: 'S-0001' }),
    );

    // Switching by the button: now the second citizen hears the counsellor.
    await act(
      COUNSELLOR,
      callbackQuery(COUNSELLOR, 'cs|S-0002'),
      (s) => s === hi('counsellor.switched', { session: 'S-0002' }),
    );
    api.pushUpdate(textMessage(COUNSELLOR, 'नमस्ते, बताइए'));
    await next(CITIZEN_2, 0, (s) => s === hi('counsellor.from_counsellor', { text: 'नमस्ते, बताइए' }));

    const all = (chat: number) => api.sent(chat).map(text);
    expect(all(CITIZEN_2)).not.toContain(toFirst);
    expect(all(CITIZEN_2)).not.toContain(hi('counsellor.from_counsellor', { text: 'और कुछ?' }));
    expect(all(CITIZEN_1)).not.toContain(hi('counsellor.from_counsellor', { text: 'और कुछ?' }));
    expect(all(CITIZEN_1)).not.toContain(hi('counsellor.from_counsellor', { text: 'नमस्ते, बताइए' }));
  });

  test("an operator's call with the caller's number: no question about the operator's number, the caller's complaint filed", async () => {
    const o0 = count(OPERATOR);
    const started = await act(OPERATOR, command(OPERATOR, '/call', '104 9876500001'), (s) =>
      s.includes('+919876500001'),
    );
    expect(text(started)).toBe(hi('operator.started', { line: hi('operator.line.phone104'), phone: '+919876500001' }));
    await next(OPERATOR, o0, (s) => s.includes(hi('intake.category.prompt')));
    await act(OPERATOR, callbackQuery(OPERATOR, 'category|other'), (s) => s.includes(hi('intake.block.prompt')));
    await act(OPERATOR, callbackQuery(OPERATOR, 'block|sondwa'), (s) => s.includes(hi('intake.locality.prompt')));
    await act(OPERATOR, textMessage(OPERATOR, 'Kakrana'), (s) =>
      s.includes(hi('intake.description.prompt', { min: 10 })),
    );
    const summary = await act(OPERATOR, textMessage(OPERATOR, 'हैंडपंप एक हफ़्ते से खराब है'), (s) =>
      s.includes('+919876500001'),
    );
    expect(text(summary)).toContain(
      hi('intake.summary.prompt_caller', {
        category: '',
        place: '',
        description: '',
        attachments: '',
        phone: '',
      }).split('\n')[0] as string,
    );
    const done = await act(OPERATOR, callbackQuery(OPERATOR, 'summary|submit'), (s) => /ALR-\d{6}/.test(s));
    const ref = /(ALR-\d{6})/.exec(text(done))?.[1] as string;
    expect(text(done)).toContain(hi('intake.submitted_caller', { ref, date: '', reach: '' }).split('\n')[0] as string);

    // Nothing sent to the operator during the call asked for their own contact.
    for (const c of api.sent(OPERATOR).slice(o0)) {
      expect(JSON.stringify(c.params.reply_markup ?? {})).not.toContain('request_contact');
      expect(text(c)).not.toContain(hi('intake.phone.prompt'));
    }

    // WhatsApp is off here: the caller's notice becomes a call-back task for the operator.
    await next(
      OPERATOR,
      o0,
      (s) =>
        s.startsWith(hi('operator.call_back', { ref, phone: '+919876500001', notice: '' }).split(':')[0] as string) &&
        s.includes(ref),
    );

    // /cancel in the middle of another call: back to staff, not the citizen menu.
    await act(OPERATOR, command(OPERATOR, '/call', '181 9876500002'), (s) => s.includes(hi('intake.category.prompt')));
    const cancelled = await act(OPERATOR, command(OPERATOR, '/cancel'), (s) => s.length > 0);
    expect(text(cancelled)).toBe(hi('operator.call_cancelled'));

    const conn = await mongoose.createConnection(privateDbUri(dbName)).asPromise();
    const ticket = await conn.collection('tickets').findOne({ ref });
    await conn.close();
    expect(ticket).toMatchObject({
      intake: 'phone104',
      phone: '+919876500001',
      replyVia: 'callback',
      category: 'other',
    });
  });

  test('a rating typed in Devanagari digits answers the rating question', async () => {
    await act(CITIZEN_3, command(CITIZEN_3, '/new'), (s) => s.includes(hi('intake.category.prompt')));
    await act(CITIZEN_3, callbackQuery(CITIZEN_3, 'category|other'), (s) => s.includes(hi('intake.block.prompt')));
    await act(CITIZEN_3, callbackQuery(CITIZEN_3, 'block|sondwa'), (s) => s.includes(hi('intake.locality.prompt')));
    await act(CITIZEN_3, textMessage(CITIZEN_3, 'Kakrana'), (s) =>
      s.includes(hi('intake.description.prompt', { min: 10 })),
    );
    await act(CITIZEN_3, textMessage(CITIZEN_3, 'हैंडपंप एक हफ़्ते से खराब है'), (s) => s.includes(hi('intake.phone.prompt')));
    await act(CITIZEN_3, textMessage(CITIZEN_3, 'skip'), (s) => s.includes(hi('intake.summary.phone_none')));
    const done = await act(CITIZEN_3, callbackQuery(CITIZEN_3, 'summary|submit'), (s) => /ALR-\d{6}/.test(s));
    const ref = /(ALR-\d{6})/.exec(text(done))?.[1] as string;

    const c3 = count(CITIZEN_3);
    await act(OFFICER, command(OFFICER, '/resolve', `${ref} नया हैंडपंप लगा दिया`), (s) => s.includes(ref));
    await next(CITIZEN_3, c3, (s) => s === hi('feedback.question', { ref }));

    // "४": the rating, not the menu's fourth choice or a new complaint.
    const thanks = await act(
      CITIZEN_3,
      textMessage(CITIZEN_3, '४'),
      (s) => s.includes(ref) || s.includes(hi('intake.category.prompt')),
    );
    expect(text(thanks)).toBe(hi('feedback.thanks', { ref }));

    const conn = await mongoose.createConnection(privateDbUri(dbName)).asPromise();
    const ticket = await conn.collection('tickets').findOne({ ref });
    await conn.close();
    expect(ticket).toMatchObject({ status: 'closed', feedback: { rating: 4, satisfied: true } });
  });
});
