import { runFuzz } from '../../scripts/lib/fuzz-updates';
import { LANGUAGES } from '../../src/i18n/create-i18n';
import { createTestApp, type TestApp } from '../support/test-app';

/** Updates in the test suite; `npm run fuzz` sends 100,000 (see README). */
const COUNT = Number(process.env.FUZZ_UPDATES ?? 1_000);
/** The design keeps every stored document small: bounded texts, a bounded list of seen deliveries. */
const MAX_DOCUMENT_BYTES = 64 * 1024;

describe('fuzz: random updates through the real handler and the real database', () => {
  let t: TestApp;
  // A second application on a database of its own: the chats are split between the two as `npm run fuzz` splits them over its shards.
  let t2: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    t2 = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
    await t2.close();
  });

  test(`${COUNT} random updates: no crash, no unhandled rejection, every citizen answered, no oversized document`, async () => {
    const report = await runFuzz({
      shards: [
        { handler: t.app.handler, conn: t.db.conn },
        { handler: t2.app.handler, conn: t2.db.conn },
      ],
      count: COUNT,
      chats: Math.max(20, Math.round(COUNT / 20)),
      concurrency: 20,
      seed: 20261128,
      collections: ['conversations', 'tickets', 'citizens', 'staff', 'outbox'],
      apology: new Set(LANGUAGES.map((l) => t.translator.t(l, 'error.generic'))),
      now: () => t.clock.now(),
    });
    expect({
      thrown: report.thrown,
      unhandledRejections: report.unhandledRejections,
      apologies: report.apologies,
      unanswered: report.unanswered,
      examples: report.examples,
    }).toEqual({
      thrown: 0,
      unhandledRejections: 0,
      apologies: 0,
      unanswered: 0,
      examples: [],
    });
    expect(report.handled).toBeGreaterThan(COUNT * 0.8);
    // Both shards did their share (each chat stays on one, so neither is close to all).
    for (const n of report.handledByShard) expect(n).toBeGreaterThan(report.handled * 0.3);
    expect(report.largestDocument.bytes).toBeLessThan(MAX_DOCUMENT_BYTES);
  }, 600_000);
});
