import { Schema } from 'mongoose';
import { modelOnce } from '../../src/db/model-once';
import { openTestDb, type TestDb } from '../support/test-db';

describe('modelOnce', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(() => db.close());

  test('registers a model once per connection and hands back the same one after, on its collection', async () => {
    const schema = new Schema<{ _id: string; n: number }>({ _id: String, n: Number }, { versionKey: false });
    const first = modelOnce(db.conn, 'OnceThing', schema, 'once_things');
    // A second store on the same connection (a test, or another part) must not make mongoose throw.
    const again = modelOnce(db.conn, 'OnceThing', schema, 'once_things');
    expect(again).toBe(first);
    expect(first.collection.collectionName).toBe('once_things');
    await first.create({ _id: 'a', n: 1 });
    expect(await again.findById('a').lean()).toEqual({ _id: 'a', n: 1 });
  });
});
