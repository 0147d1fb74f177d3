import { useWebChatApp } from '../support/web-chat-app';

describe('an operator logs a telephone call as a ticket', () => {
  const { t, chat, hi } = useWebChatApp({ staff: [['operator-1', 'operator']] });

  test('line, caller number, the same intake flow; the ticket records the line, the operator and the caller', async () => {
    const lines = await chat.send('operator-1', '/call');
    expect(lines).toEqual([hi('operator.pick_line')]);
    expect(await chat.send('operator-1', '[call|phone181]')).toEqual([hi('operator.ask_number')]);
    expect(await chat.send('operator-1', '12345')).toEqual([hi('operator.bad_number')]);
    const started = await chat.send('operator-1', '98765 43210');
    expect(started[0]).toContain('+919876543210');
    expect(started[1]).toContain(hi('intake.category.prompt'));

    // Free words and a Hindi label work for the operator as for a citizen; the number was given, so no phone question.
    await chat.script('operator-1', ['[category|ration]', 'जोबट', 'फलिया नवापाड़ा']);
    const summary = await chat.send('operator-1', 'कॉलर को तीन महीने से राशन नहीं मिला');
    expect(summary[0]).toContain('+919876543210');
    const done = await chat.send('operator-1', '[summary|submit]');
    const ref = /(ALR-\d{6})/.exec(done[0] ?? '')?.[1];
    expect(ref).toBeDefined();

    const ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    const operator = await t.app.models.Staff.findOne({ chatId: 'operator-1' }).lean();
    expect(ticket).toMatchObject({
      intake: 'phone181',
      loggedBy: operator?._id,
      phone: '+919876543210',
      citizenId: 'phone:+919876543210',
      channel: 'whatsapp',
      chatId: '919876543210@c.us',
      category: 'ration',
      block: 'jobat',
    });
    expect(ticket?.history[0]).toMatchObject({
      action: 'created',
      by: { kind: 'staff', id: operator?._id, role: 'operator' },
      text: 'phone181',
    });

    // The operator's own daily limit is untouched, and they are staff again.
    expect(await chat.send('operator-1', '/call 104 9123456780')).toEqual(
      expect.arrayContaining([expect.stringContaining('+919123456780')]),
    );
    expect(await chat.send('operator-1', '/cancel')).toEqual([hi('operator.call_cancelled')]);
  });

  test('officers and citizens cannot log calls', async () => {
    expect(await chat.send('citizen-1', '/call')).toEqual(expect.arrayContaining([hi('error.unknown_command')]));
    await chat.join('officer-1', 'officer', 'FOOD');
    expect(await chat.send('officer-1', '/call')).toEqual([hi('staff.forbidden')]);
  });

  test('staff commands stay staff commands, and the call goes on', async () => {
    await chat.send('operator-1', '/call 104 9123456780');
    expect(await chat.send('operator-1', '/new')).toEqual([hi('staff.unknown_command')]);
    const next = await chat.send('operator-1', '[category|other]');
    expect(next.join('\n')).toContain(hi('intake.block.prompt'));
    expect(await chat.send('operator-1', '/cancel')).toEqual([hi('operator.call_cancelled')]);
    // Back to staff: plain words get the staff help, not a citizen flow.
    expect((await chat.send('operator-1', 'hello'))[0]).toContain(t.translator.t('hi', 'staff.role.operator'));
  });

  test("/call 104 NUMBER: the phone step speaks of the caller, never offers the operator's contact, and skip is what the ticket keeps", async () => {
    const started = await chat.send('operator-1', '/call 104 9876500001');
    expect(started[0]).toBe(hi('operator.started', { line: hi('operator.line.phone104'), phone: '+919876500001' }));
    await chat.script('operator-1', ['[category|other]', '[block|sondwa]', 'Kakrana']);
    // No question about "your" number: the summary comes straight after the description, with the caller's number.
    const summary = await chat.send('operator-1', 'हैंडपंप एक हफ़्ते से खराब है');
    expect(summary).toHaveLength(1);
    expect(summary[0]).toContain(
      hi('intake.summary.prompt_caller', {
        category: '',
        place: '',
        description: '',
        attachments: '',
        phone: '',
      }).split('\n')[0] as string,
    );
    expect(summary[0]).toContain('+919876500001');
    expect(summary.join('\n')).not.toContain(hi('intake.phone.prompt'));

    // Changing the number from the summary asks for the caller's, without the contact button.
    await chat.send('operator-1', '[summary|change]');
    const asked = await t.app.web.receive({
      chatId: 'operator-1',
      clientId: 'c-edit-phone',
      firstName: 'op',
      kind: 'button',
      data: 'summary.edit|phone',
    });
    const ask = asked.messages.filter((m) => m.direction === 'out');
    expect(ask).toHaveLength(1);
    expect(ask[0]?.message?.text).toContain(hi('intake.phone.caller_prompt'));
    expect(ask[0]?.message?.contactRequest).toBeUndefined();
    // A shared contact is the operator's own number: refused, not stored.
    const shared = await t.app.web.receive({
      chatId: 'operator-1',
      clientId: 'c-contact',
      firstName: 'op',
      kind: 'contact',
      phone: '+919000000001',
    } as never);
    expect(shared.messages.filter((m) => m.direction === 'out').map((m) => m.message?.text)[0]).toContain(
      hi('intake.phone.caller_typed'),
    );

    // Skip: the summary says "not given", and so does the ticket.
    const skipped = await chat.send('operator-1', '[phone|skip]');
    expect(skipped[0]).toContain(hi('intake.summary.phone_none'));
    const [done] = await chat.send('operator-1', '[summary|submit]');
    const ref = /(ALR-\d{6})/.exec(done ?? '')?.[1] as string;
    // The operator is told the caller's complaint is filed, not "your complaint".
    expect(done).toContain(hi('intake.submitted_caller', { ref, date: '', reach: '' }).split('\n')[0] as string);
    expect(done).not.toContain(hi('intake.submitted', { ref, date: '' }).split('\n')[0] as string);
    const ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket?.phone).toBeUndefined();
    expect(JSON.stringify(ticket)).not.toContain('9000000001');
    expect(JSON.stringify(ticket)).not.toContain('9876500001');
    expect(ticket?.replyVia).toBe('operator_chat');
    expect(done).toContain(hi('intake.caller_reach.operator_chat'));
  });

  test('/cancel in the middle of a call returns the operator to staff mode, not the citizen menu', async () => {
    await chat.script('operator-1', ['/call 181 9876500001', '[category|other]']);
    const cancelled = await chat.send('operator-1', '/cancel');
    expect(cancelled).toEqual([hi('operator.call_cancelled')]);
    expect(cancelled.join('\n')).not.toContain(hi('menu.prompt'));
    expect((await chat.send('operator-1', 'hello'))[0]).toContain(hi('staff.role.operator'));
    // Also while the number is being asked.
    await chat.send('operator-1', '/call 181');
    expect(await chat.send('operator-1', '/cancel')).toEqual([hi('operator.call_cancelled')]);
    expect((await chat.send('operator-1', '9876500001'))[0]).toContain(hi('staff.role.operator'));
  });
});
