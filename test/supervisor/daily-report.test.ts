import { summarizeDay } from '../../src/supervisor/daily-report';
import { ist } from './seed-tickets';
import { CONFIG_ADMIN_CHAT, createSupervisorKit } from './supervisor-kit';

describe('the daily report', () => {
  test('counts a day’s activity and the queue as it stands (pure)', () => {
    const start = ist('2026-11-27', '00:00');
    const end = ist('2026-11-28', '00:00');
    const row = (o: Partial<Parameters<typeof summarizeDay>[0]['rows'][number]>) => ({
      ref: 'ALR-1',
      department: 'FOOD',
      intake: 'telegram' as const,
      status: 'new' as const,
      createdAt: ist('2026-11-27', '10:00'),
      ...o,
    });
    const report = summarizeDay({
      day: '2026-11-27',
      start,
      end,
      now: ist('2026-11-28', '09:00'),
      rows: [
        row({ intake: 'phone181' }),
        row({ intake: 'mobile', acknowledgedAt: ist('2026-11-27', '12:00') }),
        // Filed the day before, seen and resolved on the day, rated the next day (not counted).
        row({
          createdAt: ist('2026-11-26', '10:00'),
          acknowledgedAt: ist('2026-11-27', '10:00'),
          resolvedAt: ist('2026-11-27', '22:00'),
          feedback: { rating: 5, satisfied: true, at: ist('2026-11-28', '08:00') },
        }),
        row({
          department: 'HEALTH',
          createdAt: ist('2026-11-20', '10:00'),
          resolvedAt: ist('2026-11-26', '10:00'),
          feedback: { rating: 3, satisfied: false, at: ist('2026-11-27', '23:59') },
        }),
      ],
      load: new Map([
        ['FOOD', { open: 4, overdue: 1 }],
        ['REVENUE', { open: 2, overdue: 2 }],
      ]),
    });
    expect([report.created, report.acknowledged, report.resolved, report.open, report.overdue]).toEqual([
      2, 2, 1, 6, 3,
    ]);
    expect(report.ackTotalMs).toBe(2 * 3_600_000 + 24 * 3_600_000);
    expect(report.resolveTotalMs).toBe(36 * 3_600_000);
    expect(report.ratings).toEqual({ count: 1, sum: 3, satisfied: 0, stars: { 1: 0, 2: 0, 3: 1, 4: 0, 5: 0 } });
    expect(report.channels).toMatchObject({ phone181: 1, mobile: 1, telegram: 0 });
    // HEALTH only had a rating that day: departments are listed for what was filed, resolved or is open.
    expect(report.departments).toEqual([
      { code: 'FOOD', created: 2, resolved: 1, open: 4, overdue: 1 },
      { code: 'REVENUE', created: 0, resolved: 0, open: 2, overdue: 2 },
    ]);
  });

  test('is sent to every administrator in their language once per day, whoever fires it', async () => {
    const kit = await createSupervisorKit({ start: ist('2026-11-28', '09:00') });
    try {
      const admin = await kit.addStaff('admin', { language: 'en' });
      await kit.addStaff('supervisor');
      await kit.seedTicket({
        category: 'ration',
        department: 'FOOD',
        createdAt: ist('2026-11-27', '11:00'),
        intake: 'phone104',
      });
      const day = kit.reports.previousDay();
      expect(day).toBe('2026-11-27');
      const first = await kit.reports.sendDailyReport(day);
      expect(first.recipients).toBe(2);
      await kit.reports.sendDailyReport(day);
      const queued = await kit.queued();
      expect(queued.map((q) => q.chatId).sort()).toEqual([admin.chatId, CONFIG_ADMIN_CHAT].sort());
      expect(queued.find((q) => q.chatId === admin.chatId)?.message.text).toContain(
        'Daily report — 27 Nov 2026\nNew complaints: 1',
      );
      expect(queued.find((q) => q.chatId === CONFIG_ADMIN_CHAT)?.message.text).toContain(
        'दैनिक रिपोर्ट — 27 नव॰ 2026\nनई शिकायतें: 1',
      );
      expect(queued.find((q) => q.chatId === CONFIG_ADMIN_CHAT)?.message.text).toContain('फ़ोन 104: 1');
    } finally {
      await kit.close();
    }
  });
});
