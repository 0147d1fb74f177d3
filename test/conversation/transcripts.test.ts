import fs from 'node:fs';
import path from 'node:path';
import { createOutboxModel } from '../../src/outbox/outbox-model';
import { formatMessage, playTranscript } from '../support/transcript';
import { createTestApp } from '../support/test-app';

/**
 * Golden transcripts: each *.txt under transcripts/ is played through the real
 * handler and database on a fixed clock; the replies, the tickets filed and the
 * notifications queued in the outbox must equal the *.golden.txt beside it. After a deliberate change, regenerate with
 * UPDATE_GOLDEN=1 npx jest test/conversation/transcripts and review the diff.
 */
const dir = path.join(__dirname, 'transcripts');
const cases = fs.readdirSync(dir).filter((f) => f.endsWith('.txt') && !f.endsWith('.golden.txt'));
const ENV: Record<string, Record<string, string>> = {
  'duplicate-and-quota.txt': { MAX_TICKETS_PER_DAY: '2' },
  'current-profile.txt': { CATEGORY_PROFILE: 'current' },
};

describe('golden transcripts', () => {
  test.each(cases)('%s', async (file) => {
    const t = await createTestApp(ENV[file] ?? {});
    try {
      const played = await playTranscript({
        source: fs.readFileSync(path.join(dir, file), 'utf8'),
        handler: t.app.handler,
        clock: t.clock,
        chatId: '5001',
        firstName: 'Sunita',
      });
      const tickets = await t.app.models.Ticket.find().sort({ ref: 1 }).lean();
      const effects = tickets
        .map((x) =>
          [
            `${x.ref} ${x.category}/${x.department} status=${x.status}`,
            `  place=${x.block ?? '-'} / ${x.locality ?? '-'} / ${x.location ? `${x.location.lat},${x.location.lon}` : '-'}`,
            `  description=${x.description}`,
            `  attachments=${x.attachments.map((a) => `${a.kind}:${a.fileId}`).join(',') || '-'} phone=${x.phone ?? '-'} lang=${x.language}`,
          ].join('\n'),
        )
        .join('\n');
      // The notifications queued for delivery (officers' cards, notices to citizens and overseers), in order;
      // the replies, which go through the outbox too, are shown above with their messages.
      const { Message } = await createOutboxModel(t.db.conn);
      const queued = (await Message.find().sort({ seq: 1 }).lean())
        .filter((m) => !m.dedupeKey.startsWith('reply:'))
        .map((m) =>
          [`-> ${m.channel}:${m.chatId}${m.ticketRef ? ` (${m.ticketRef})` : ''}`, formatMessage(m.message)].join('\n'),
        )
        .join('\n');
      const actual = `${played}== tickets ==\n${effects}\n== notifications ==\n${queued}\n`;
      const goldenFile = path.join(dir, file.replace(/\.txt$/, '.golden.txt'));
      if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(goldenFile, actual);
      // A missing golden file is a failure, not a new expectation written by the test itself.
      if (!fs.existsSync(goldenFile))
        throw new Error(`${path.basename(goldenFile)} is missing: write it with UPDATE_GOLDEN=1 and review it`);
      expect(actual).toBe(fs.readFileSync(goldenFile, 'utf8'));
    } finally {
      await t.close();
    }
  });
});
