import { useWebChatApp } from '../support/web-chat-app';

describe('officer questions, language and half-done staff actions', () => {
  const { t, chat, hi, en } = useWebChatApp({ staff: [['officer-1', 'officer', 'CONTROL']] });

  test('a menu number is a menu choice, not an answer; the next words are the answer', async () => {
    const ref = await chat.fileComplaint('citizen-1');
    await chat.send('officer-1', `/ask ${ref} Which falia exactly?`);
    // "2" is the menu's "my complaints", not the answer.
    const status = await chat.send('citizen-1', '2');
    expect(status[0]).toContain(ref);
    expect(await chat.send('citizen-1', 'Bada falia, near the school')).toEqual([
      hi('notify.answer_forwarded', { ref }),
    ]);
    const history = (await t.app.models.Ticket.findOne({ ref }).lean())?.history ?? [];
    expect(history.filter((h) => h.action === 'citizen_reply').map((h) => h.text)).toEqual([
      'Bada falia, near the school',
    ]);
  });

  test('mid-complaint, replying to the question message answers it; plain words stay with the complaint', async () => {
    const ref = await chat.fileComplaint('citizen-1');
    await chat.send('officer-1', `/ask ${ref} Which falia exactly?`);
    const [question] = (await chat.inbox('citizen-1')).filter((m) => m.includes('Which falia exactly?'));
    await chat.send('citizen-1', '/new');
    // A reply to the question goes to the officer, and the complaint in progress is untouched.
    const res = await t.app.handler({
      channel: 'web',
      chatId: 'citizen-1',
      updateKey: 'reply-1',
      receivedAt: t.clock.now(),
      replyToText: question,
      content: { kind: 'text', text: 'Bada falia' },
    });
    expect(res.messages.map((m) => m.text)).toEqual([hi('notify.answer_forwarded', { ref })]);
    const conv = await t.app.models.Conversation.findById('web:citizen-1').lean();
    expect(conv?.state.flow?.step).toBe('category');
    expect(conv?.state.awaitingAnswer).toBeUndefined();
  });

  test('after /language en, officers’ updates reach the citizen in English', async () => {
    const ref = await chat.fileComplaint('citizen-1');
    await chat.send('citizen-1', '/language en');
    await chat.send('officer-1', `/update ${ref} Mechanic visits tomorrow`);
    expect(await chat.inbox('citizen-1')).toContain(en('notify.update', { ref, text: 'Mechanic visits tomorrow' }));
  });

  test('a tapped "resolve" left for more than half an hour does not turn later words into a resolution', async () => {
    const ref = await chat.fileComplaint('citizen-1');
    await chat.send('officer-1', `[tk|resolve:${ref}]`);
    t.clock.advance(31 * 60_000);
    expect(await chat.send('officer-1', 'ok')).toEqual([hi('staff.pending.expired', { ref })]);
    expect((await t.app.models.Ticket.findOne({ ref }).lean())?.status).not.toBe('resolved');
  });
});
