import { isFerretDb } from '../../src/db/connect';
import { openTestDb, type TestDb } from '../support/test-db';

/** The SQLite plan FerretDB reports for a find by `_id` (its explain runs EXPLAIN QUERY PLAN). */
async function planOf(db: TestDb, collection: string, id: string): Promise<string> {
  // EXPLAIN does not reload a schema another connection changed; a real query first does.
  await db.conn.db!.collection(collection).findOne({ _id: id as never });
  const explained = await db.conn
    .db!.collection(collection)
    .find({ _id: id as never })
    .explain();
  return JSON.stringify(explained.queryPlanner ?? explained);
}

describe('the embedded FerretDB helper', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(() => db.close());

  test('looks documents up by _id through an index on the expression FerretDB queries with, not a scan', async () => {
    if (!(await isFerretDb(db.conn))) return; // MongoDB uses its own _id index; nothing to add.
    const coll = db.conn.db!.collection('lookups');
    await coll.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `k${i}` as never, n: i })));
    // The helper adds the index within a pass or two after the table appears (every 2 s).
    let plan = await planOf(db, 'lookups', 'k7');
    for (let i = 0; i < 50 && !plan.includes('_jansahayak_id'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      plan = await planOf(db, 'lookups', 'k7');
    }
    expect(plan).toContain('SEARCH');
    expect(plan).toContain('_jansahayak_id');
    // Same answers as before: a hit, a miss, and an update and delete by _id.
    expect(await coll.findOne({ _id: 'k7' as never })).toEqual({ _id: 'k7', n: 7 });
    expect(await coll.findOne({ _id: 'k99' as never })).toBeNull();
    expect((await coll.updateOne({ _id: 'k8' as never }, { $inc: { n: 100 } })).modifiedCount).toBe(1);
    expect(await coll.findOne({ _id: 'k8' as never })).toEqual({ _id: 'k8', n: 108 });
    expect((await coll.deleteOne({ _id: 'k9' as never })).deletedCount).toBe(1);
    expect(await coll.countDocuments()).toBe(49);
  });
});
