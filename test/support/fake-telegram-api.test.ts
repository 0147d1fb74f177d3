import { Bot, GrammyError, HttpError, InputFile, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import { createFakeTelegramApi, type FakeTelegramApi, type UploadedFile } from './fake-telegram-api';
import { callbackQuery, command, textMessage } from './telegram-updates';

const USER = 42;

let api: FakeTelegramApi;
let apiRoot: string;
const running: Array<{ bot: Bot; done: Promise<void> }> = [];
let handlerErrors: unknown[] = [];

beforeEach(async () => {
  api = createFakeTelegramApi();
  ({ apiRoot } = await api.start());
  handlerErrors = [];
});

afterEach(async () => {
  // Bots first: a bot still polling a stopped server would retry forever.
  for (const { bot, done } of running.splice(0)) {
    if (bot.isRunning()) await bot.stop();
    await done;
  }
  await api.stop();
  expect(handlerErrors).toEqual([]);
});

function newBot(withBotInfo = true): Bot {
  return new Bot(api.token, { client: { apiRoot }, ...(withBotInfo && { botInfo: api.botInfo }) });
}

/** Starts long polling and resolves once grammY has finished its start-up calls. */
async function startPolling(bot: Bot): Promise<void> {
  bot.catch((err) => void handlerErrors.push(err.error));
  await new Promise<void>((resolve, reject) => {
    const done = bot.start({ onStart: () => resolve() });
    running.push({ bot, done });
    done.catch(reject);
  });
}

describe('fake Telegram API with a real grammY bot', () => {
  it('delivers a text update to a handler and records the reply', async () => {
    const bot = newBot(false);
    bot.on('message:text', (ctx) => ctx.reply(`आपने लिखा: ${ctx.message.text}`));
    await startPolling(bot);

    api.pushUpdate(textMessage(USER, 'नमस्ते'));
    const [reply] = await api.waitForSent(USER, 1);

    expect(reply?.method).toBe('sendMessage');
    expect(reply?.params).toMatchObject({ chat_id: USER, text: 'आपने लिखा: नमस्ते' });
    expect(reply?.result).toMatchObject({
      chat: { id: USER, type: 'private' },
      from: { id: api.botInfo.id, is_bot: true },
    });
    expect(api.calls.map((c) => c.method)).toContain('getMe');
  });

  it('matches commands through their bot_command entity', async () => {
    const bot = newBot();
    bot.command('start', (ctx) => ctx.reply(`स्वागत है (${ctx.match})`));
    await startPolling(bot);

    api.pushUpdate(command(USER, '/start', 'ward-7'));
    const [reply] = await api.waitForSent(USER, 1);
    expect(reply?.params.text).toBe('स्वागत है (ward-7)');
  });

  it('answers a callback query and edits the message it came from', async () => {
    const bot = newBot();
    bot.callbackQuery('confirm', async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'दर्ज हो गया' });
      await ctx.editMessageText('शिकायत दर्ज हो गई');
    });
    await startPolling(bot);

    const pushed = api.pushUpdate(callbackQuery(USER, 'confirm'));
    const [edit] = await api.waitForSent(USER, 1);

    const answer = api.calls.find((c) => c.method === 'answerCallbackQuery');
    expect(answer).toMatchObject({
      params: { callback_query_id: pushed.callback_query?.id, text: 'दर्ज हो गया' },
      result: true,
    });
    expect(edit).toMatchObject({ method: 'editMessageText', result: { text: 'शिकायत दर्ज हो गई' } });
    // Editing text without reply_markup drops the inline keyboard, as in Telegram.
    expect((edit?.result as { reply_markup?: unknown }).reply_markup).toBeUndefined();
  });

  it('numbers user and bot messages in one sequence per chat', async () => {
    const bot = newBot();
    const replies: number[] = [];
    bot.on('message:text', async (ctx) => void replies.push((await ctx.reply('ठीक है')).message_id));
    await startPolling(bot);

    const first = api.pushUpdate(textMessage(USER, 'एक'));
    await api.waitForSent(USER, 1);
    const second = api.pushUpdate(textMessage(USER, 'दो'));
    await api.waitForSent(USER, 2);

    const ids = [first.message?.message_id, replies[0], second.message?.message_id, replies[1]];
    expect(ids).toEqual([...ids].sort((a, b) => Number(a) - Number(b)));
    expect(new Set(ids).size).toBe(4);
    // The bot's first reply is still its own message, so it can be edited.
    await expect(bot.api.editMessageText(USER, Number(replies[0]), 'बदला गया')).resolves.toMatchObject({
      text: 'बदला गया',
    });
  });

  it('does not deliver a confirmed update twice unless it is redelivered', async () => {
    const seen: number[] = [];
    const record = (ctx: Context) => void seen.push(ctx.update.update_id);

    const first = newBot();
    first.on('message', record);
    await startPolling(first);
    const one = api.pushUpdate(textMessage(USER, 'पहला'));
    await api.waitFor(() => seen.length === 1);
    await first.stop(); // confirms the offset with a last getUpdates

    const second = newBot();
    second.on('message', record);
    await startPolling(second);
    const two = api.pushUpdate(textMessage(USER, 'दूसरा'));
    await api.waitFor(() => seen.length === 2);

    api.redeliver(one.update_id);
    await api.waitFor(() => seen.length === 3);
    await second.stop();

    expect(seen).toEqual([one.update_id, two.update_id, one.update_id]);
    expect(api.pendingUpdates()).toBe(0);
  });

  it('records an uploaded document with its name and bytes, and serves it back', async () => {
    const bot = newBot();
    const message = await bot.api.sendDocument(USER, new InputFile(Buffer.from('a,b'), 'x.csv'), {
      caption: 'रिपोर्ट',
      reply_markup: { inline_keyboard: [[{ text: 'ठीक', callback_data: 'ok' }]] },
    });

    const [call] = api.sent(USER);
    const document = call?.params.document as UploadedFile;
    expect(document.fileName).toBe('x.csv');
    expect(document.size).toBe(3);
    expect(document.bytes.toString()).toBe('a,b');
    // Multipart sends every value as text; numbers and JSON fields come back typed.
    expect(call?.params).toMatchObject({
      chat_id: USER,
      caption: 'रिपोर्ट',
      reply_markup: { inline_keyboard: [[{ callback_data: 'ok' }]] },
    });
    expect(message.document).toMatchObject({ file_name: 'x.csv', mime_type: 'text/csv', file_size: 3 });

    const file = await bot.api.getFile(message.document.file_id);
    const download = await fetch(`${apiRoot}/file/bot${api.token}/${file.file_path}`);
    expect(await download.text()).toBe('a,b');
  });

  it('answers failNext(429) with retry_after, then recovers', async () => {
    const bot = newBot();
    api.failNext(1, { status: 429, retryAfter: 7 }, { method: 'sendMessage' });

    const error = await bot.api.sendMessage(USER, 'पहला प्रयास').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect(error).toMatchObject({ error_code: 429, parameters: { retry_after: 7 } });

    await bot.api.sendMessage(USER, 'दूसरा प्रयास');
    expect(api.sent(USER).map((c) => c.params.text)).toEqual(['दूसरा प्रयास']);
    expect(api.calls.filter((c) => c.failed === 429)).toHaveLength(1);
  });

  it('answers 403 for a blocked chat while other chats still work', async () => {
    const bot = newBot();
    api.blockChat(USER);

    const error = await bot.api.sendMessage(USER, 'नमस्ते').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect(error).toMatchObject({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });

    await bot.api.sendMessage(USER + 1, 'नमस्ते');
    expect(api.sent(USER)).toHaveLength(0);
    expect(api.sent(USER + 1)).toHaveLength(1);
  });

  it('drops the connection for a network failure, which grammY reports as HttpError', async () => {
    const bot = newBot();
    api.failNext(1, { status: 'network' }, { chatId: USER });
    await expect(bot.api.sendMessage(USER, 'x')).rejects.toBeInstanceOf(HttpError);
    await expect(bot.api.sendMessage(USER, 'x')).resolves.toMatchObject({ text: 'x' });
  });

  it('rejects what real Telegram rejects', async () => {
    const bot = newBot();
    await expect(bot.api.sendMessage(USER, 'शिकायत <सड़क>', { parse_mode: 'HTML' })).rejects.toMatchObject({
      error_code: 400,
      description: expect.stringContaining("can't parse entities"),
    });
    // 27 characters, but 73 bytes in UTF-8: over Telegram's 64-byte limit.
    const data = 'श्रेणी:सड़क:गड्ढा:बहुत-गहरा';
    expect(Buffer.byteLength(data)).toBeGreaterThan(64);
    await expect(
      bot.api.sendMessage(USER, 'चुनें', { reply_markup: { inline_keyboard: [[{ text: 'क', callback_data: data }]] } }),
    ).rejects.toMatchObject({ description: 'Bad Request: BUTTON_DATA_INVALID' });
    const sent = await bot.api.sendMessage(USER, '<b>नमस्ते</b> &amp; स्वागत', { parse_mode: 'HTML' });
    expect(sent.text).toBe('नमस्ते & स्वागत');
    await expect(bot.api.editMessageText(USER, sent.message_id, 'नमस्ते & स्वागत')).rejects.toMatchObject({
      description: expect.stringContaining('message is not modified'),
    });
  });
});

describe('fake Telegram API over raw HTTP', () => {
  it('answers 401 for a wrong token and 404 for an unknown method', async () => {
    const wrong = await fetch(`${apiRoot}/bot1:wrong/getMe`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });

    const unknown = await fetch(`${apiRoot}/bot${api.token}/sendTelepathy`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  it('accepts urlencoded bodies and case-insensitive method names', async () => {
    const res = await fetch(`${apiRoot}/bot${api.token}/SENDMESSAGE`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: String(USER), text: '123', reply_markup: '{"remove_keyboard":true}' }),
    });
    expect(res.status).toBe(200);
    expect(api.sent(USER)[0]).toMatchObject({
      method: 'sendMessage',
      params: { chat_id: USER, text: '123', reply_markup: { remove_keyboard: true } },
    });
  });

  it('holds a long poll until an update arrives', async () => {
    const bot = newBot();
    const poll = bot.api.getUpdates({ offset: 0, timeout: 30 });
    await api.waitFor(() => api.calls.some((c) => c.method === 'getUpdates'));
    const pushed = api.pushUpdate(textMessage(USER, 'जागो'));
    const updates: Update[] = await poll;
    expect(updates.map((u) => u.update_id)).toEqual([pushed.update_id]);
  });

  it('returns an empty batch when the poll times out', async () => {
    const bot = newBot();
    const started = Date.now();
    await expect(bot.api.getUpdates({ timeout: 1 })).resolves.toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('releases a pending long poll on stop()', async () => {
    const bot = newBot();
    const poll = bot.api.getUpdates({ timeout: 30 });
    await api.waitFor(() => api.calls.some((c) => c.method === 'getUpdates'));
    await api.stop();
    await expect(poll).resolves.toEqual([]);
  });
});
