import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { App } from '../../src/app';
import { EXPORT_COLUMNS, type ExportColumn } from '../../src/supervisor/ticket-export';

/**
 * Drive the real app through its web channel, as the simulator page does:
 * `send` returns the bot's direct replies; `inbox` also holds what reached
 * the chat through the outbox (notifications, relays).
 */
export function webChats(app: App) {
  async function send(chatId: string, input: string): Promise<string[]> {
    const clientId = randomBytes(8).toString('hex');
    let body: Record<string, unknown>;
    const button = /^\[(.+)\]$/.exec(input);
    if (button) body = { kind: 'button', data: button[1] };
    else if (input.startsWith('/')) {
      const [command = '', ...rest] = input.slice(1).split(' ');
      body = { kind: 'command', command, args: rest.join(' ') };
    } else body = { kind: 'text', text: input };
    const res = await app.web.receive({ chatId, clientId, firstName: chatId, ...body });
    return res.messages.filter((m) => m.direction === 'out').map((m) => m.message?.text ?? '');
  }

  /** Every message the bot has sent to a chat, after the outbox has delivered what was due. */
  async function inbox(chatId: string): Promise<string[]> {
    await app.outbox.drain(5_000);
    const all = await app.web.messages(chatId, 0);
    return all.filter((m) => m.direction === 'out').map((m) => m.message?.text ?? '');
  }

  /** Send several inputs in order; the replies of the last. */
  async function script(chatId: string, inputs: string[]): Promise<string[]> {
    let last: string[] = [];
    for (const i of inputs) last = await send(chatId, i);
    return last;
  }

  /** Link a chat as staff the way people do: the admin chat invites, the person sends /start CODE. */
  async function join(chatId: string, role: string, department = ''): Promise<string[]> {
    const [invite] = await send('admin', `/invite ${role} ${department}`.trim());
    const code = /([A-Z2-9]{13})\n/.exec(invite ?? '')?.[1];
    if (!code) throw new Error(`no invite code in: ${invite}`);
    return send(chatId, `/start ${code}`);
  }

  /** A citizen files a short "other problem" complaint with buttons; its reference. */
  async function fileComplaint(chatId: string): Promise<string> {
    await script(chatId, [
      '/new',
      '[category|other]',
      '[block|sondwa]',
      'Kakrana',
      'Hand pump broken for a week',
      '[phone|skip]',
    ]);
    const [done] = await send(chatId, '[summary|submit]');
    const ref = /(ALR-\d{6})/.exec(done ?? '')?.[1];
    if (!ref) throw new Error(`no reference in: ${done}`);
    return ref;
  }

  /**
   * Send `/export` from a chat and read the CSV file that reaches it: a
   * ticket's cell by reference and column name (a reference not in the file throws).
   */
  async function exportCells(chatId: string): Promise<(ref: string, column: ExportColumn) => string> {
    await send(chatId, '/export');
    await app.outbox.drain(5_000);
    const files = (await app.web.messages(chatId, 0)).filter((m) => m.message?.document);
    const fileId = files.at(-1)?.message?.document?.fileId;
    const file = fileId ? await app.web.file(fileId) : undefined;
    if (!file) throw new Error(`no file reached ${chatId} after /export`);
    const rows = parse(Buffer.from(file.bytes), { bom: true }) as string[][];
    return (ref, column) => {
      const row = rows.find((r) => r[0] === ref);
      // A missing row must fail the test, not pass a `not.toContain` on an empty cell.
      if (!row) throw new Error(`no row for ${ref} in the export`);
      return row[EXPORT_COLUMNS.indexOf(column)] ?? '';
    };
  }

  return { send, inbox, script, join, fileComplaint, exportCells };
}
