import type { InboundContent } from '../../src/conversation/types';
import { useWebChatApp } from '../support/web-chat-app';

describe('a complaint without typing reaches the officer with its voice note', () => {
  const { t, chat, hi } = useWebChatApp({ staff: [['officer-1', 'officer', 'FOOD']] });
  let n = 0;
  const send = (content: InboundContent) =>
    t.app.handler({
      channel: 'web',
      chatId: 'citizen-1',
      updateKey: `u${++n}`,
      receivedAt: t.clock.now(),
      firstName: 'Kamla',
      content,
    });

  test('buttons and one voice note: the card says the place and the problem are in the voice message, and carries it', async () => {
    await send({ kind: 'command', command: 'new', args: '' });
    await send({ kind: 'button', scope: 'category', value: 'ration' });
    await send({ kind: 'button', scope: 'block', value: 'jobat' });
    await send({ kind: 'voice', fileId: 'VOICE-42', durationSec: 20 });
    await send({ kind: 'button', scope: 'phone', value: 'skip' });
    await send({ kind: 'button', scope: 'summary', value: 'submit' });

    const ticket = await t.app.models.Ticket.findOne().lean();
    expect(ticket).toMatchObject({
      category: 'ration',
      block: 'jobat',
      attachments: [expect.objectContaining({ kind: 'voice', fileId: 'VOICE-42' })],
    });
    const inbox = await chat.inbox('officer-1');
    const card = inbox.find((m) => m.includes(ticket?.ref ?? '?') && m.includes('📝'));
    expect(card).toContain(hi('staff.ticket.in_voice'));
    expect(card).toContain(`${hi('block.jobat')}`);
    // The voice note itself follows the card.
    const messages = await t.app.web.messages('officer-1', 0);
    expect(
      messages.some(
        (m) => m.direction === 'out' && m.message?.media?.kind === 'voice' && m.message.media.fileId === 'VOICE-42',
      ),
    ).toBe(true);
  });
});
