import { Schema } from 'mongoose';
import { duplicateWriteCount, isDuplicateKey } from '../../src/db/duplicate-key';
import { openTestDb, type TestDb } from '../support/test-db';

// The shapes each server sends, reduced to what the check reads.
const mongoDuplicate = () =>
  Object.assign(new Error('E11000 duplicate key error collection: t.claims index: _id_'), { code: 11000 });
const mongoOldDuplicate = () =>
  Object.assign(new Error('insertDocument :: caused by :: 11001 E11001 duplicate key'), { code: 11001 });
// FerretDB 1.24 on SQLite: an InternalError (code 1) whose text names the SQLite constraint.
const ferretDuplicate = () =>
  Object.assign(new Error('UNIQUE constraint failed: outbox_claims._ferretdb_sqlite_json'), { code: 1 });
const ferretInternal = () => Object.assign(new Error('database is locked'), { code: 1 });
const bulk = (writeErrors: unknown[]) => Object.assign(new Error('bulk write failed'), { code: 11000, writeErrors });

describe('isDuplicateKey', () => {
  it('knows MongoDB by its codes and FerretDB by its text', () => {
    expect(isDuplicateKey(mongoDuplicate())).toBe(true);
    expect(isDuplicateKey(mongoOldDuplicate())).toBe(true);
    expect(isDuplicateKey(ferretDuplicate())).toBe(true);
    // A plain object from a driver that does not subclass Error still counts.
    expect(isDuplicateKey({ code: 11000 })).toBe(true);
  });

  it('is false for other failures and for things that are not errors', () => {
    expect(isDuplicateKey(ferretInternal())).toBe(false);
    expect(isDuplicateKey(Object.assign(new Error('not primary'), { code: 10107 }))).toBe(false);
    expect(isDuplicateKey(new Error('connection closed'))).toBe(false);
    expect(isDuplicateKey(undefined)).toBe(false);
    expect(isDuplicateKey('E11000')).toBe(false);
  });

  it('reads a bulk write error by its write errors: only all-duplicates counts', () => {
    const dupMongo = { code: 11000, errmsg: 'E11000 duplicate key' };
    const dupFerret = { code: 1, errmsg: 'UNIQUE constraint failed: messages.dedupeKey' };
    const other = { code: 121, errmsg: 'Document failed validation' };
    expect(isDuplicateKey(bulk([dupMongo, dupFerret]))).toBe(true);
    // The bulk error carries the first write error's code; one real failure among duplicates must not hide.
    expect(isDuplicateKey(bulk([dupMongo, other]))).toBe(false);
    expect(duplicateWriteCount(bulk([dupMongo, dupFerret]))).toBe(2);
    expect(duplicateWriteCount(bulk([dupMongo, other]))).toBeNull();
    expect(duplicateWriteCount(bulk([dupMongo, 'garbage']))).toBeNull();
    expect(duplicateWriteCount(mongoDuplicate())).toBeNull();
    expect(duplicateWriteCount(null)).toBeNull();
  });

  describe('against the test run server', () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await openTestDb();
    });
    afterAll(() => db?.close());

    it("recognises the server's own refusals, single and bulk", async () => {
      const Claim = db.conn.model('DupClaim', new Schema({ _id: String, key: { type: String, unique: true } }));
      await Claim.init();
      await Claim.create({ _id: 'a', key: 'k1' });

      const single = await Claim.create({ _id: 'a', key: 'k2' }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(isDuplicateKey(single)).toBe(true);
      const byIndex = await Claim.create({ _id: 'b', key: 'k1' }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(isDuplicateKey(byIndex)).toBe(true);

      const many = await Claim.collection
        .insertMany(
          [
            { _id: 'a', key: 'x' },
            { _id: 'c', key: 'k3' },
            { _id: 'd', key: 'k1' },
          ] as never[],
          { ordered: false },
        )
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(isDuplicateKey(many)).toBe(true);
      expect(duplicateWriteCount(many)).toBe(2);
      expect(await Claim.countDocuments()).toBe(2);
    });
  });
});
