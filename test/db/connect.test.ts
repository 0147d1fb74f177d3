import { connectDatabase, isFerretDb } from '../../src/db/connect';

describe('connectDatabase', () => {
  test('a FerretDB given by URI gets one connection per process, as the embedded one does; MongoDB keeps its pool', async () => {
    const uri = process.env.TEST_MONGODB_URI;
    if (!uri) throw new Error('TEST_MONGODB_URI is not set: run tests through Jest');
    // The URI as an operator would write it, without the embedded server's pool setting.
    const url = new URL(uri);
    url.searchParams.delete('maxPoolSize');
    const conn = await connectDatabase(url.toString(), { dbName: 'connect_probe' });
    try {
      const ferret = await isFerretDb(conn);
      expect(conn.getClient().options.maxPoolSize).toBe(ferret ? 1 : 100);
    } finally {
      await conn.close();
    }
  });
});
