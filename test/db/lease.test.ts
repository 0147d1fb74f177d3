import mongoose, { Schema } from 'mongoose';
import { createLeases, leaseModel, type LeaseDoc } from '../../src/db/lease';
import { openTestDb, type TestDb } from '../support/test-db';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('leases kept while their work runs', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(() => db.close());

  it('moves the expiry forward while kept, so a long piece of work is not taken over', async () => {
    const Lease = leaseModel(db.conn, 'KeptLease', 'kept_leases');
    const mine = createLeases(Lease, { owner: 'a', leaseMs: 300 });
    const theirs = createLeases(Lease, { owner: 'b', leaseMs: 300 });
    expect(await mine.acquire('chat:1')).toBe(true);
    const kept = mine.keep('chat:1');
    // Three lease lengths: without renewal the lease would have expired twice over.
    await pause(900);
    expect(await theirs.acquire('chat:1')).toBe(false);
    expect(kept.lost).toBe(false);
    await kept.stop();
    await mine.release('chat:1');
    expect(await theirs.acquire('chat:1')).toBe(true);
  });

  it('reports the lease lost once another owner holds it', async () => {
    const Lease = leaseModel(db.conn, 'KeptLease', 'kept_leases');
    const mine = createLeases(Lease, { owner: 'a', leaseMs: 300 });
    expect(await mine.acquire('chat:2')).toBe(true);
    const kept = mine.keep('chat:2');
    // Another process took it over after this one stalled past the expiry.
    await Lease.updateOne({ _id: 'chat:2' }, { $set: { owner: 'b' } });
    await pause(400);
    expect(kept.lost).toBe(true);
    await kept.stop();
  });

  it('lets no renewal land after stop(): the release that follows is the last write', async () => {
    // A renewal that takes long (a slow server): stop() must wait for it rather than let it write after the
    // release, where it would bring back a lease another owner has taken since, and nobody would release.
    const slowSchema = new Schema<LeaseDoc>(
      { _id: String, owner: String, expiresAt: Date },
      { versionKey: false, collection: 'slow_leases' },
    );
    const events: string[] = [];
    slowSchema.pre('updateOne', async function () {
      events.push('renewal started');
      await pause(300);
    });
    slowSchema.post('updateOne', () => {
      events.push('renewal written');
    });
    const Slow = db.conn.model<LeaseDoc>('SlowLease', slowSchema);
    const mine = createLeases(Slow, { owner: 'a', leaseMs: 150 });
    expect(await mine.acquire('chat:3')).toBe(true);
    const kept = mine.keep('chat:3');
    while (!events.includes('renewal started')) await pause(10);
    await kept.stop();
    events.push('stopped');
    await mine.release('chat:3');
    expect(events.slice(0, 3)).toEqual(['renewal started', 'renewal written', 'stopped']);
    expect(await Slow.countDocuments({ _id: 'chat:3' })).toBe(0);
  });

  it('lets exactly one of several processes take over an expired lease', async () => {
    // Each "process" on its own connection, so their commands really interleave in the server.
    const conns = await Promise.all(
      Array.from({ length: 4 }, () =>
        mongoose.createConnection(process.env.TEST_MONGODB_URI ?? '', { dbName: db.dbName }).asPromise(),
      ),
    );
    try {
      const Lease = leaseModel(db.conn, 'RacedLease', 'raced_leases');
      for (let round = 0; round < 40; round += 1) {
        const key = `chat:race:${round}`;
        await Lease.create({ _id: key, owner: 'crashed', expiresAt: new Date(Date.now() - 1_000) });
        const results = await Promise.all(
          conns.map((c, i) =>
            createLeases(leaseModel(c, 'RacedLease', 'raced_leases'), { owner: `p${i}`, leaseMs: 60_000 }).acquire(key),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const left = await Lease.find({ _id: { $regex: `^${key}` } }).lean();
        // The winner's lease, and no claim left behind.
        expect(left).toHaveLength(1);
        expect(left[0]!.owner).toBe(`p${results.indexOf(true)}`);
      }
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });
});
