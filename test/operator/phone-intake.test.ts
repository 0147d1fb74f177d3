import { createTestApp, type TestApp } from '../support/test-app';
import { webChats } from '../support/web-chats';

describe('an operator logs a telephone call as a ticket', () => {
  let t: TestApp;
  let chat: ReturnType<typeof webChats>;
  const hi = (key: string, params?: Record<string, unknown>) => t.translator.t('hi', key, params);

  beforeEach(async () => {
    t = await createTestApp();
    await t.app.start();
    chat = webChats(t.app);
    await chat.join('operator-1', 'operator');
  });
  afterEach(() => t.close());

  test('line, caller number, the same intake flow; the ticket records the line, the operator and the caller', async () => {
    const lines = await chat.send('operator-1', '/call');
    expect(lines).toEqual([hi('operator.pick_line')]);
    expect(await chat.send('operator-1', '[call|phone181]')).toEqual([hi('operator.ask_number')]);
    expect(await chat.send('operator-1', '12345')).toEqual([hi('operator.bad_number')]);
    const started = await chat.send('operator-1', '98765 43210');
    expect(started[0]).toContain('+919876543210');
    expect(started[1]).toContain(hi('intake.category.prompt'));

    // Free words and a Hindi label work for the operator as for a citizen.
    await chat.script('operator-1', ['[category|ration]', 'जोबट', 'फलिया नवापाड़ा', 'कॉलर को तीन महीने से राशन नहीं मिला']);
    const summary = await chat.send('operator-1', '[phone|skip]');
    expect(summary[0]).toContain(hi('intake.summary.phone_none'));
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
    expect(ticket?.history[0]).toMatchObject({ action: 'created', by: { kind: 'staff', id: operator?._id, role: 'operator' }, text: 'phone181' });

    // The operator's own daily limit is untouched, and they are staff again.
    expect(await chat.send('operator-1', '/call 104 9123456780')).toEqual(expect.arrayContaining([expect.stringContaining('+919123456780')]));
    expect(await chat.send('operator-1', '/cancel')).toEqual(expect.arrayContaining([hi('intake.cancelled')]));
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
    expect(await chat.send('operator-1', '/cancel')).toEqual(expect.arrayContaining([hi('intake.cancelled')]));
    // Back to staff: plain words get the staff help, not a citizen flow.
    expect((await chat.send('operator-1', 'hello'))[0]).toContain(t.translator.t('hi', 'staff.role.operator'));
  });
});
