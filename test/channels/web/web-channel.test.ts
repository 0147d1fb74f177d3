import { metricValue } from '../../../src/metrics/app-metrics';
import type { WebMessageView } from '../../../src/channels/web/web-message-store';
import { fakePhoneFor } from '../../../src/channels/web/web-inbound';
import {
  chatLog,
  clientId,
  makePng,
  postMessage,
  startSimTestServer,
  uploadImage,
  type SimTestServer,
} from '../../http/sim-test-server';

const REF_RE = /[A-Z]{2,6}-\d{6}/;

let s: SimTestServer;

beforeAll(async () => {
  s = await startSimTestServer({ maxPollWaitMs: 5000 });
});

afterAll(async () => {
  await s.close();
});

/** Send one message and return the bot's replies to it. */
async function say(chatId: string, body: Record<string, unknown>): Promise<WebMessageView[]> {
  const { status, json } = await postMessage(s.url, { chatId, clientId: clientId(), ...body });
  expect(status).toBe(200);
  expect(json.duplicate).toBe(false);
  return json.messages ?? [];
}

/** The button of the last reply whose data is `data`; fails the test when the bot offered no such button. */
function button(replies: WebMessageView[], data: string): { label: string; data: string } {
  const found = replies.flatMap((m) => m.message?.buttons ?? []).find((b) => b.data === data);
  if (!found)
    throw new Error(
      `no button ${data} among ${JSON.stringify(replies.map((m) => m.message?.buttons?.map((b) => b.data)))}`,
    );
  return found;
}

describe('web channel over HTTP, real handler and database', () => {
  it('files a whole complaint in Hindi with a photo and a shared number, and stores the ticket', async () => {
    const chatId = 'citizen-api-1';
    let replies = await say(chatId, { kind: 'command', command: 'start', firstName: 'सीमा' });
    expect(replies[0]?.message?.text).toContain('सीमा');
    const category = button(replies, 'category|ration');
    replies = await say(chatId, { kind: 'button', data: category.data, label: category.label });
    replies = await say(chatId, { kind: 'button', ...button(replies, 'block|jobat') });
    expect(replies.map((m) => m.message?.text).join('\n')).toContain(s.translator.t('hi', 'intake.locality.prompt'));
    replies = await say(chatId, { kind: 'text', text: 'वार्ड 5, बस स्टैंड के पास' });
    expect(replies.map((m) => m.message?.text).join('\n')).toContain(
      s.translator.t('hi', 'intake.description.prompt', { min: 10 }),
    );

    const upload = await uploadImage(s.url, makePng(32, 24), chatId);
    expect(upload.status).toBe(200);
    const { fileId, mimeType } = (await upload.json()) as { fileId: string; mimeType: string };
    expect(mimeType).toBe('image/png');
    replies = await say(chatId, { kind: 'photo', fileId });
    expect(replies.map((m) => m.message?.text).join('\n')).toBe(s.translator.t('hi', 'intake.description.photo_saved'));

    replies = await say(chatId, { kind: 'text', text: 'दो महीने से राशन की दुकान से गेहूँ और चावल नहीं मिला है।' });
    expect(replies.some((m) => m.message?.contactRequest)).toBe(true);
    replies = await say(chatId, { kind: 'contact' });
    replies = await say(chatId, { kind: 'button', ...button(replies, 'summary|submit') });

    const confirmation = replies.map((m) => m.message?.text ?? '').join('\n');
    const ref = REF_RE.exec(confirmation)?.[0];
    expect(ref).toBeDefined();
    const ticket = await s.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket).toMatchObject({
      channel: 'web',
      chatId,
      category: 'ration',
      block: 'jobat',
      locality: 'वार्ड 5, बस स्टैंड के पास',
      phone: fakePhoneFor(chatId),
      status: 'new',
    });
    expect(ticket?.attachments).toEqual([{ kind: 'photo', fileId }]);
    expect(await metricValue(s.metrics.updatesHandled, { channel: 'web', outcome: 'handled' })).toBeGreaterThanOrEqual(
      8,
    );

    // The chat's history, as a reloaded page reads it: in order, both directions.
    const log = await chatLog(s.url, chatId);
    expect(log.map((m) => m.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log.filter((m) => m.direction === 'in').map((m) => m.input?.kind)).toEqual([
      'command',
      'button',
      'button',
      'text',
      'photo',
      'text',
      'contact',
      'button',
    ]);
    expect(log.find((m) => m.input?.kind === 'button')?.input?.label).toBe(category.label);
    expect(log[log.length - 1]?.message?.text).toContain(ref);

    // The photo can be fetched back byte for byte, as the officer's pane will show it.
    const photo = await fetch(`${s.url}/sim/api/files/${fileId}`);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await photo.arrayBuffer()).equals(makePng(32, 24))).toBe(true);

    // What citizens wrote and their numbers stay out of the logs.
    const logs = [...s.logs(), ...s.httpLogs()].join('\n');
    expect(logs).toContain('web_message');
    expect(logs).not.toContain('वार्ड 5');
    expect(logs).not.toContain(fakePhoneFor(chatId).slice(3));
  });

  it('takes a preset place as the location pin', async () => {
    const chatId = 'citizen-api-2';
    await say(chatId, { kind: 'command', command: 'start' });
    await say(chatId, { kind: 'button', data: 'category|stranded', label: 'x' });
    const place = s.places.find((p) => p.id === 'sondwa');
    expect(place).toBeDefined();
    const replies = await say(chatId, { kind: 'location', placeId: 'sondwa' });
    // With a pin the locality question is skipped: the next question is the description.
    expect(replies.map((m) => m.message?.text).join('\n')).toContain(
      s.translator.t('hi', 'intake.description.prompt', { min: 10 }).slice(0, 20),
    );
    const log = await chatLog(s.url, chatId);
    expect(log.find((m) => m.input?.kind === 'location')?.input).toEqual({
      kind: 'location',
      placeId: 'sondwa',
      lat: place?.lat,
      lon: place?.lon,
    });
    const conversation = await s.app.models.Conversation.findById(`web:${chatId}`).lean();
    expect(conversation?.state.flow?.answers.location).toEqual({ lat: place?.lat, lon: place?.lon });
  });

  it('answers a repeated POST with the same client id once, sequentially and concurrently', async () => {
    const chatId = 'citizen-api-3';
    const first = { chatId, clientId: clientId(), kind: 'command', command: 'start' };
    const a = await postMessage(s.url, first);
    const b = await postMessage(s.url, first);
    expect(a.json.duplicate).toBe(false);
    expect(a.json.messages?.length).toBeGreaterThan(0);
    expect(b).toEqual({ status: 200, json: { duplicate: true, messages: [] } });

    const again = { chatId, clientId: clientId(), kind: 'button', data: 'category|travel', label: 'x' };
    const both = await Promise.all([postMessage(s.url, again), postMessage(s.url, again)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both.filter((r) => r.json.duplicate === false)).toHaveLength(1);

    const log = await chatLog(s.url, chatId);
    expect(log.filter((m) => m.direction === 'in')).toHaveLength(2);
    const replies = log.filter((m) => m.direction === 'out').length;
    expect(replies).toBe(
      (a.json.messages?.length ?? 0) + (both.find((r) => !r.json.duplicate)?.json.messages?.length ?? 0),
    );
    expect(
      await metricValue(s.metrics.updatesHandled, { channel: 'web', outcome: 'duplicate' }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('treats typed "/status REF" as a command, like Telegram', async () => {
    const chatId = 'citizen-api-4';
    const replies = await say(chatId, { kind: 'text', text: '/status ALR-999999' });
    expect(replies.map((m) => m.message?.text).join('\n')).toBe(
      s.translator.t('hi', 'status.not_found', { ref: 'ALR-999999' }),
    );
    const log = await chatLog(s.url, chatId);
    expect(log[0]?.input).toEqual({ kind: 'command', text: '/status ALR-999999' });
  });

  it('delivers messages sent through the web sender to the chat, waking a waiting long poll', async () => {
    const chatId = 'officer-api-1';
    const poll = fetch(`${s.url}/sim/api/messages?chatId=${chatId}&after=0&wait=5`).then(
      async (r) => (await r.json()) as { messages: WebMessageView[] },
    );
    // The poll is registered before the send only if it reached the server first; either way it must return the message.
    const sent = await s.web.sender.send(chatId, {
      text: 'नई शिकायत ALR-000001',
      buttons: [{ label: 'देख ली', data: 'staff|ack' }],
    });
    expect(sent.messageId).toBe('1');
    const { messages } = await poll;
    expect(messages).toHaveLength(1);
    expect(messages[0]?.message).toEqual({
      text: 'नई शिकायत ALR-000001',
      buttons: [{ label: 'देख ली', data: 'staff|ack' }],
    });

    const doc = await s.web.sender.send(chatId, {
      text: 'export',
      document: { fileName: 'tickets.csv', bytes: Buffer.from('ref,status\nALR-000001,new\n'), mimeType: 'text/csv' },
    });
    const log = await chatLog(s.url, chatId);
    const stored = log.find((m) => String(m.seq) === doc.messageId)?.message?.document;
    expect(stored).toMatchObject({ fileName: 'tickets.csv', mimeType: 'text/csv' });
    const file = await fetch(`${s.url}/sim/api/files/${stored?.fileId}`);
    expect(file.headers.get('content-disposition')).toContain('attachment');
    expect(await file.text()).toBe('ref,status\nALR-000001,new\n');

    // Photos forwarded by file id: a web file can be shown, another platform's cannot.
    const upload = (await (await uploadImage(s.url, makePng(8, 8), 'citizen-api-7')).json()) as { fileId: string };
    const webPhoto = await s.web.sender.send(chatId, {
      text: 'photo',
      media: { kind: 'photo', fileId: upload.fileId },
    } as never);
    const telegramPhoto = await s.web.sender.send(chatId, {
      text: 'photo',
      media: { kind: 'photo', fileId: 'AgACAgIAAxkBAAIB' },
    } as never);
    const after = await chatLog(s.url, chatId);
    expect(after.find((m) => String(m.seq) === webPhoto.messageId)?.message?.media).toEqual({
      kind: 'photo',
      fileId: upload.fileId,
      here: true,
    });
    expect(after.find((m) => String(m.seq) === telegramPhoto.messageId)?.message?.media).toEqual({
      kind: 'photo',
      fileId: 'AgACAgIAAxkBAAIB',
      here: false,
    });
  });

  it('refuses to send to a chat id the web never uses, and says not to retry', async () => {
    const err = await s.web.sender.send('../nobody', { text: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(s.web.sender.classify(err)).toMatchObject({ retry: false, reason: 'chat_not_found' });
    expect(s.web.sender.classify(new Error('connection reset'))).toMatchObject({ retry: true });
  });

  it('refuses malformed requests with 4xx and stores nothing', async () => {
    const chatId = 'citizen-api-5';
    const bad = [
      { chatId, clientId: clientId(), kind: 'text', text: '' },
      { chatId: 'bad id!', clientId: clientId(), kind: 'text', text: 'hello' },
      { chatId, clientId: 'short', kind: 'text', text: 'hello' },
      { chatId, clientId: clientId(), kind: 'sticker' },
      { chatId, clientId: clientId(), kind: 'location', placeId: 'nowhere' },
      { chatId, clientId: clientId(), kind: 'location', lat: 91, lon: 0 },
    ];
    for (const body of bad) expect((await postMessage(s.url, body)).status).toBe(400);
    const missing = await postMessage(s.url, {
      chatId,
      clientId: clientId(),
      kind: 'photo',
      fileId: 'wf_000000000000000000000000',
    });
    expect(missing.status).toBe(404);

    const notJson = await fetch(`${s.url}/sim/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(notJson.status).toBe(415);
    const broken = await fetch(`${s.url}/sim/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{',
    });
    expect(broken.status).toBe(400);
    expect(await chatLog(s.url, chatId)).toEqual([]);
  });

  it('accepts only real images up to the size limit', async () => {
    const notImage = await uploadImage(
      s.url,
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
      'citizen-api-6',
      'image/svg+xml',
    );
    expect(notImage.status).toBe(415);
    const wrongType = await uploadImage(s.url, makePng(4, 4), 'citizen-api-6', 'text/html');
    expect(wrongType.status).toBe(415);
    const tooBig = await uploadImage(
      s.url,
      Buffer.concat([makePng(4, 4), Buffer.alloc(s.web.maxUploadBytes)]),
      'citizen-api-6',
    );
    expect(tooBig.status).toBe(413);
    expect((await fetch(`${s.url}/sim/api/files/wf_ffffffffffffffffffffffff`)).status).toBe(404);
  });
});
