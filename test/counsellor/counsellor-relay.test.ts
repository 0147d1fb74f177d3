import { useWebChatApp } from '../support/web-chat-app';

describe('health counsellor relay (two citizens, one counsellor)', () => {
  const { t, chat, hi, en, restart } = useWebChatApp({ env: { COUNSELLOR_MAX_SESSIONS: '1' } });

  async function joinAsCounsellor(chatId: string): Promise<void> {
    const [invite] = await chat.send('admin', '/invite counsellor');
    const code = /([A-Z2-9]{13})\n/.exec(invite ?? '')?.[1];
    expect(code).toBeDefined();
    const welcome = await chat.send(chatId, `/start ${code}`);
    expect(welcome[0]).toContain(hi('staff.role.counsellor'));
  }

  async function askForCounsellor(chatId: string): Promise<string[]> {
    await chat.send(chatId, '/new');
    const offer = await chat.send(chatId, '[category|health]');
    expect(offer.join('\n')).toContain(hi('intake.counsellor.offer'));
    return chat.send(chatId, '[category.counsel|talk]');
  }

  test('connect, relay both ways, queue the second citizen, /end hands the queue on', async () => {
    await joinAsCounsellor('counsellor-1');

    // First citizen: connected at once (the notice comes through the outbox).
    expect(await askForCounsellor('citizen-1')).toEqual([]);
    expect(await chat.inbox('citizen-1')).toContain(hi('counsellor.connected'));
    const counsellorInbox = await chat.inbox('counsellor-1');
    const session1 = /(S-\d{4})/.exec(counsellorInbox.join('\n'))?.[1] as string;
    expect(session1).toBeDefined();

    // Citizen → counsellor: the counsellor sees the session number, not who it is.
    await chat.send('citizen-1', 'तीन दिन से बुखार है, क्या करूँ?');
    const relayed = (await chat.inbox('counsellor-1')).find((m) => m.includes('तीन दिन से बुखार'));
    expect(relayed).toBe(hi('counsellor.from_citizen', { session: session1, text: 'तीन दिन से बुखार है, क्या करूँ?' }));
    expect(relayed).not.toContain('citizen-1');

    // Counsellor → citizen.
    expect(await chat.send('counsellor-1', 'पानी खूब पिएँ और पैरासिटामोल लें')).toEqual([]);
    expect(await chat.inbox('citizen-1')).toContain(
      hi('counsellor.from_counsellor', { text: 'पानी खूब पिएँ और पैरासिटामोल लें' }),
    );

    // Second citizen: the only counsellor is full, so they wait and are given 104.
    const queued = await askForCounsellor('citizen-2');
    expect(queued).toEqual([hi('counsellor.queued')]);
    expect(queued[0]).toContain('104');
    expect(await chat.send('citizen-2', 'हैलो?')).toEqual([hi('counsellor.still_waiting')]);

    // /end ticket: the session becomes a health ticket, the waiting citizen is connected.
    const ended = await chat.send('counsellor-1', '/end ticket');
    expect(ended[0]).toBe(hi('counsellor.ended', { session: session1 }));
    const ref = /(ALR-\d{6})/.exec(ended[1] ?? '')?.[1] as string;
    expect(ref).toBeDefined();
    const ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket).toMatchObject({ category: 'health', description: 'तीन दिन से बुखार है, क्या करूँ?' });
    const citizen1 = await chat.inbox('citizen-1');
    expect(citizen1).toContain(hi('counsellor.ended_for_citizen'));
    expect(citizen1).toContain(hi('counsellor.ticket_for_citizen', { ref }));
    expect(await chat.inbox('citizen-2')).toContain(hi('counsellor.connected'));

    // Citizen 1 is a citizen again: free text gets the menu, not a relay.
    expect(await chat.send('citizen-1', 'धन्यवाद')).toEqual([hi('menu.prompt')]);

    // The counsellor's messages now go to the second session; the citizen can leave with /end.
    await chat.send('counsellor-1', 'नमस्ते, बताइए');
    expect(await chat.inbox('citizen-2')).toContain(hi('counsellor.from_counsellor', { text: 'नमस्ते, बताइए' }));
    expect(await chat.send('citizen-2', '/end')).toEqual([hi('counsellor.you_left')]);
    const counsellorEnd = await chat.inbox('counsellor-1');
    expect(counsellorEnd.some((m) => m.startsWith(hi('counsellor.citizen_left', { session: 'S-0002' })))).toBe(true);
  });

  test('with no counsellor on duty the citizen is queued, told to call 104, and connected once one is', async () => {
    expect(await askForCounsellor('citizen-3')).toEqual([hi('counsellor.queued')]);
    // A counsellor who comes on duty later: the waiting citizen's next message connects them.
    await joinAsCounsellor('counsellor-1');
    expect(await chat.send('citizen-3', 'क्या कोई है?')).toEqual([]);
    expect(await chat.inbox('citizen-3')).toContain(hi('counsellor.connected'));
    expect(await chat.inbox('counsellor-1')).toContain(
      hi('counsellor.from_citizen', { session: 'S-0001', text: 'क्या कोई है?' }),
    );
    const [sessions] = await chat.send('counsellor-1', '/sessions');
    expect(sessions).toBe(hi('counsellor.sessions', { count: 1, active: 'S-0001' }));
    // Others cannot use counsellor commands.
    expect(await chat.send('admin', '/sessions')).toEqual([hi('staff.forbidden')]);
  });

  test('every notice takes the shared path: one outbox item per chat and session step, each person in their own language', async () => {
    await joinAsCounsellor('counsellor-1');
    // An English-speaking counsellor and a Hindi-speaking citizen.
    await t.app.models.Staff.updateOne({ chatId: 'counsellor-1' }, { $set: { language: 'en' } });
    await askForCounsellor('citizen-1');
    expect(await chat.inbox('counsellor-1')).toContain(
      en('counsellor.new_session', { session: 'S-0001', language: en('language.hi') }),
    );
    expect(await chat.inbox('citizen-1')).toContain(hi('counsellor.connected'));
    await chat.send('citizen-1', 'नमस्ते');
    await chat.send('citizen-1', '/end');
    // Keyed as noticeItems keys every notice (`<step>:<channel>:<chat>:<i>`), so a repeated step queues nothing twice.
    const keys = (await t.db.conn.collection('outbox').find({ dedupeKey: /^cs:/ }).toArray())
      .map((m) => m.dedupeKey as string)
      .map((k) => k.replace(/:in:.*:web:/, ':in:…:web:'))
      .sort();
    expect(keys).toEqual([
      'cs:S-0001:connected:web:citizen-1:0',
      'cs:S-0001:in:…:web:counsellor-1:0',
      'cs:S-0001:left:web:counsellor-1:0',
      'cs:S-0001:new:web:counsellor-1:0',
    ]);
  });

  describe('two citizens at once (room for both)', () => {
    beforeEach(() => restart({ COUNSELLOR_MAX_SESSIONS: '3' }));

    const delivered = async (chatId: string, text: string) =>
      (await chat.inbox(chatId)).filter((m) => m === hi('counsellor.from_counsellor', { text })).length;

    test("a second citizen does not take the counsellor's words: they are told it stays with S-0001 and switch with a button", async () => {
      await joinAsCounsellor('counsellor-1');
      await askForCounsellor('citizen-1');
      expect(await chat.inbox('counsellor-1')).toContain(
        hi('counsellor.new_session', { session: 'S-0001', language: hi('language.hi') }),
      );
      await askForCounsellor('citizen-2');
      const told = await chat.inbox('counsellor-1');
      // Never "everything you write goes to them" for a session that is not active.
      expect(
        told.filter((m) =>
          m.startsWith(hi('counsellor.new_session', { session: 'S-0002', language: hi('language.hi') })),
        ),
      ).toEqual([]);
      expect(told).toContain(
        hi('counsellor.new_session_inactive', { session: 'S-0002', language: hi('language.hi'), active: 'S-0001' }),
      );

      // Their next words go where they were told: S-0001.
      expect(await chat.send('counsellor-1', 'पहले नागरिक के लिए')).toEqual([]);
      expect(await delivered('citizen-1', 'पहले नागरिक के लिए')).toBe(1);
      expect(await delivered('citizen-2', 'पहले नागरिक के लिए')).toBe(0);

      // The button in the notice switches; then words go to S-0002 only.
      expect(await chat.send('counsellor-1', '[cs|S-0002]')).toEqual([
        hi('counsellor.switched', { session: 'S-0002' }),
      ]);
      await chat.send('counsellor-1', 'दूसरे नागरिक के लिए');
      expect(await delivered('citizen-2', 'दूसरे नागरिक के लिए')).toBe(1);
      expect(await delivered('citizen-1', 'दूसरे नागरिक के लिए')).toBe(0);
      expect(await chat.send('counsellor-1', '/sessions')).toEqual([
        hi('counsellor.sessions', { count: 2, active: 'S-0002' }),
      ]);
    });

    test('after the active citizen leaves with /end nothing is active: /sessions says so and typed words reach no one', async () => {
      await joinAsCounsellor('counsellor-1');
      await askForCounsellor('citizen-1');
      await askForCounsellor('citizen-2');
      expect(await chat.send('citizen-1', '/end')).toEqual([hi('counsellor.you_left')]);
      expect(await chat.inbox('counsellor-1')).toContain(hi('counsellor.citizen_left_active', { session: 'S-0001' }));

      const [sessions] = await chat.send('counsellor-1', '/sessions');
      expect(sessions).toBe(hi('counsellor.sessions_none_active', { count: 1 }));
      expect(sessions).not.toContain('S-0001');

      // Typed words meant for the citizen who left are not sent to the other one.
      expect(await chat.send('counsellor-1', 'क्या आप ठीक हैं?')).toEqual([
        hi('counsellor.active_ended', { session: 'S-0001' }),
      ]);
      expect(await delivered('citizen-2', 'क्या आप ठीक हैं?')).toBe(0);
      expect(await delivered('citizen-1', 'क्या आप ठीक हैं?')).toBe(0);

      // A third citizen joining now is not made active behind the counsellor's back either.
      await askForCounsellor('citizen-3');
      expect(await chat.inbox('counsellor-1')).toContain(
        hi('counsellor.new_session_none_active', { session: 'S-0003', language: hi('language.hi') }),
      );
      expect(await chat.send('counsellor-1', 'फिर से')).toEqual([hi('counsellor.active_ended', { session: 'S-0001' })]);
      expect(await delivered('citizen-3', 'फिर से')).toBe(0);

      // Choosing makes it active.
      await chat.send('counsellor-1', '[cs|S-0003]');
      await chat.send('counsellor-1', 'नमस्ते');
      expect(await delivered('citizen-3', 'नमस्ते')).toBe(1);
    });

    test('/end by the counsellor with others open: the next is chosen, not taken silently', async () => {
      await joinAsCounsellor('counsellor-1');
      await askForCounsellor('citizen-1');
      await askForCounsellor('citizen-2');
      expect(await chat.send('counsellor-1', '/end')).toEqual([
        hi('counsellor.ended', { session: 'S-0001' }),
        hi('counsellor.choose_next'),
      ]);
      expect(await chat.send('counsellor-1', 'अगला')).toEqual([hi('counsellor.no_active')]);
      expect(await delivered('citizen-2', 'अगला')).toBe(0);
    });
  });
});
