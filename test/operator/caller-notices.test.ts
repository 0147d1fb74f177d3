import { startDashboardKit, type DashboardKit } from '../dashboard/dashboard-kit';

jest.setTimeout(60_000);

describe("a telephone caller's notices when no channel can carry them (WhatsApp off)", () => {
  let kit: DashboardKit;
  const hi = (key: string, params?: Record<string, unknown>) => kit.translator.t('hi', key, params);

  beforeEach(async () => {
    kit = await startDashboardKit();
    await kit.chat.join('operator-1', 'operator');
    await kit.chat.join('supervisor-1', 'supervisor');
    await kit.chat.join('officer-1', 'officer', 'CONTROL');
  });
  afterEach(() => kit.close());

  test('fail at once (in /failed and the dashboard), the operators get a call-back task, and the ticket says how the caller hears back', async () => {
    const { chat } = kit;
    await chat.script('operator-1', [
      '/call 181 9876500001',
      '[category|other]',
      '[block|sondwa]',
      'Kakrana',
      'हैंडपंप एक हफ़्ते से खराब है',
    ]);
    const [done] = await chat.send('operator-1', '[summary|submit]');
    const ref = /(ALR-\d{6})/.exec(done ?? '')?.[1] as string;
    expect(done).toContain(hi('intake.caller_reach.callback'));
    const ticket = await kit.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket).toMatchObject({ channel: 'whatsapp', phone: '+919876500001', replyVia: 'callback' });

    // The "assigned" notice to the caller's WhatsApp cannot go: failed, not pending forever.
    const assigned = hi('notify.assigned', { ref, department: 'ज़िला नियंत्रण कक्ष' });
    await chat.inbox('operator-1');
    const stats = await kit.app.outbox.stats();
    expect(stats.pending).toBe(0);
    expect(stats.failed).toBe(1);

    // Operators and supervisors are asked to call the caller back, with the number and the notice.
    const task = hi('operator.call_back', { ref, phone: '+919876500001', notice: assigned });
    expect(await chat.inbox('operator-1')).toContain(task);
    expect(await chat.inbox('supervisor-1')).toContain(task);
    expect(await chat.inbox('officer-1')).not.toContain(task);

    // /failed names it, with the reason.
    const [failed] = await chat.send('supervisor-1', '/failed');
    expect(failed).not.toBe(hi('supervisor.failed.none'));
    expect(failed).toContain(ref);
    expect(failed).toContain(hi('supervisor.failed.reason.no_channel'));

    // /ticket says how the caller hears back.
    expect((await chat.send('supervisor-1', `/ticket ${ref}`)).join('\n')).toContain(
      hi('supervisor.ticket.reply_via', { how: hi('supervisor.ticket.reply_via_how.callback') }),
    );

    // The dashboard shows the count.
    const link = await kit.link('supervisor-1');
    const token = new URL(link).searchParams.get('token') ?? '';
    const login = await fetch(`${kit.url}/dashboard/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const summary = (await (await fetch(`${kit.url}/dashboard/api/summary`, { headers: { cookie } })).json()) as {
      failedNotices?: number;
    };
    expect(summary.failedNotices).toBe(1);
  });
});
