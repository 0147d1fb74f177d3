import { parse } from 'csv-parse/sync';
import { toCsv } from '../../src/supervisor/csv';
import { EXPORT_COLUMNS } from '../../src/supervisor/ticket-export';
import { ist } from './seed-tickets';
import { createSupervisorKit, who, type SupervisorKit } from './supervisor-kit';

describe('the chat /export guards every cell against formulas, as the dashboard CSV does', () => {
  test('one guard: every text cell of any CSV is made inert, numbers stay numbers', () => {
    const csv = toCsv([['=cmd|"/c calc"!A1', '+91 98765', '-2+3', '@SUM(A1)', '\tx', '＝1+1', 'plain', -3, 4.5]]);
    const [row] = parse(csv, { bom: true }) as string[][];
    expect(row).toEqual([
      '\'=cmd|"/c calc"!A1',
      "'+91 98765",
      "'-2+3",
      "'@SUM(A1)",
      "'\tx",
      "'＝1+1",
      'plain',
      '-3',
      '4.5',
    ]);
  });

  describe('end to end through /export', () => {
    let kit: SupervisorKit;
    afterAll(() => kit?.close());

    test('a staff name from a chat profile and a shared contact number cannot become formulas', async () => {
      kit = await createSupervisorKit();
      const admin = await kit.addStaff('admin', { name: 'Admin' });
      const officer = await kit.addStaff('officer', {
        department: 'FOOD',
        name: '=HYPERLINK("http://evil.example","x")',
      });
      const operator = await kit.addStaff('operator', { name: '@SUM(1+1)*cmd|' });
      const created = ist('2026-11-28', '08:00');
      const ticket = await kit.seedTicket({
        category: 'ration',
        department: 'FOOD',
        createdAt: created,
        assignedTo: officer.id,
        loggedBy: operator.id,
        intake: 'phone181',
        phone: '=1+1',
        locality: '-10+20',
        description: '+cmd',
        history: [
          {
            at: created,
            by: { kind: 'staff', id: operator.id, role: 'operator' },
            action: 'created',
            to: 'new',
            text: '=2*3',
          },
        ],
      });
      await kit.command(who(admin), 'export', '2026-11-28 2026-11-28', 'en');
      const doc = (await kit.queued()).find((q) => q.message.document)?.message.document;
      const stored = doc?.bytes as unknown as Buffer | { buffer: Uint8Array };
      const bytes = Buffer.isBuffer(stored) ? stored : Buffer.from(stored.buffer);
      const rows = parse(bytes, { bom: true }) as string[][];
      const row = rows.find((r) => r[0] === ticket.ref) as string[];
      const col = (name: (typeof EXPORT_COLUMNS)[number]) => row[EXPORT_COLUMNS.indexOf(name)] ?? '';
      expect(col('officer')).toBe(`'=HYPERLINK("http://evil.example","x")`);
      expect(col('phone')).toBe("'=1+1");
      expect(col('locality')).toBe("'-10+20");
      expect(col('description')).toBe("'+cmd");
      expect(col('logged_by').startsWith("'@SUM")).toBe(true);
      // No cell of the whole file may start a formula.
      for (const r of rows) for (const cell of r) expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
    });
  });
});
