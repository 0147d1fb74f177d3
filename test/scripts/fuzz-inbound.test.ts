import { runFuzz } from '../../scripts/lib/fuzz-updates';
import { LANGUAGES } from '../../src/i18n/create-i18n';
import { createTestApp, type TestApp } from '../support/test-app';

/** Updates in the test suite; `npm run fuzz` sends 100,000 (see README). */
const COUNT = Number(process.env.FUZZ_UPDATES ?? 1_000);
/** The design keeps every stored document small: bounded texts, a bounded list of seen deliveries. */
const MAX_DOCUMENT_BYTES = 64 * 1024;

describe('fuzz: random updates through the real handler and the real database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  test(`${COUNT} random updates: no crash, no unhandled rejection, every citizen answered, no oversized document`, async () => {
    const report = await runFuzz({
      handler: t.app.handler,
      conn: t.db.conn,
      count: COUNT,
      chats: Math.max(20, Math.round(COUNT / 20)),
      concurrency: 20,
      seed: 20261128,
      collections: ['conversations', 'tickets', 'citizens', 'staff', 'outbox'],
      apology: new Set(LANGUAGES.map((l) => t.translator.t(l, 'error.generic'))),
      now: () => t.clock.now(),
    });
    expect({ thrown: report.thrown, unhandledRejections: report.unhandledRejections, apologies: report.apologies, unanswered: report.unanswered, examples: report.examples }).toEqual({
      thrown: 0,
      unhandledRejections: 0,
      apologies: 0,
      unanswered: 0,
      examples: [],
    });
    expect(report.handled).toBeGreaterThan(COUNT * 0.8);
    expect(report.largestDocument.bytes).toBeLessThan(MAX_DOCUMENT_BYTES);
  }, 600_000);
});
