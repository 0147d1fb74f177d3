import { normalizeReference } from '../../src/domain/ticket';
import { useWebChatApp } from '../support/web-chat-app';

describe('typed references: any case, short numbers padded', () => {
  test.each([
    ['alr-1', 'ALR-000001'],
    ['ALR-000001', 'ALR-000001'],
    [' Alr 17 ', 'ALR-000017'],
    ['alr0000042', 'ALR-000042'],
    ['alr-1234567', 'ALR-1234567'],
    ['hello', 'HELLO'],
  ])('%s → %s', (typed, stored) => {
    expect(normalizeReference(typed)).toBe(stored);
  });
});

describe('references typed by people, and ages under a minute', () => {
  const { t, chat, hi } = useWebChatApp({ staff: [['officer-1', 'officer', 'CONTROL']] });

  test('citizen /status alr-1, staff /ticket and /ack find ALR-000001; cards and /mine say अभी', async () => {
    const ref = await chat.fileComplaint('citizen-1');
    expect(ref).toBe('ALR-000001');

    const [status] = await chat.send('citizen-1', '/status alr-1');
    expect(status).toContain(ref);
    expect(status).not.toContain(hi('status.not_found', { ref: 'ALR-1' }));

    // The officer's card for a ticket filed this moment: "अभी", not Intl's "यह मिनट".
    const card = (await chat.inbox('officer-1')).find((m) => m.includes(ref)) ?? '';
    expect(card).toContain(hi('common.just_now'));
    expect(card).not.toContain('यह मिनट');
    const [mine] = await chat.send('officer-1', '/mine');
    expect(mine).toContain(hi('common.just_now'));
    expect(mine).not.toContain('यह मिनट');

    expect(await chat.send('officer-1', '/ack alr-1')).toEqual([hi('staff.done.acknowledge', { ref, department: '' })]);
    const [details] = await chat.send('admin', '/ticket Alr-1');
    expect(details).toContain(ref);
    expect((await t.app.models.Ticket.findOne({ ref }).lean())?.status).toBe('acknowledged');
  });
});
