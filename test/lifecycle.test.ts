import { createLifecycle } from '../src/lifecycle';

/** A part that records its start and stop in `log`, failing to start when asked. */
function part(name: string, log: string[], failStart = false) {
  return {
    name,
    async start() {
      await Promise.resolve();
      if (failStart) throw new Error(`${name} could not start`);
      log.push(`start ${name}`);
    },
    async stop() {
      await Promise.resolve();
      log.push(`stop ${name}`);
    },
  };
}

describe('createLifecycle', () => {
  it('starts and stops in the two orders given, each step awaited before the next', async () => {
    const log: string[] = [];
    const [outbox, http, channels] = ['outbox', 'http', 'channels'].map((n) => part(n, log)) as [
      ReturnType<typeof part>,
      ReturnType<typeof part>,
      ReturnType<typeof part>,
    ];
    const life = createLifecycle({ start: [outbox, http, channels], stop: [http, channels, outbox] });
    await life.start();
    await life.stop();
    expect(log).toEqual(['start outbox', 'start http', 'start channels', 'stop http', 'stop channels', 'stop outbox']);
  });

  it('a failed start ends the walk with its error; stop afterwards still stops every part', async () => {
    const log: string[] = [];
    const outbox = part('outbox', log);
    const http = part('http', log, true);
    const channels = part('channels', log);
    const life = createLifecycle({ start: [outbox, http, channels], stop: [http, channels, outbox] });
    await expect(life.start()).rejects.toThrow('http could not start');
    expect(log).toEqual(['start outbox']);
    await life.stop();
    expect(log).toEqual(['start outbox', 'stop http', 'stop channels', 'stop outbox']);
  });

  it('a failed stop does not leave the later parts running: they stop, then its error is thrown', async () => {
    const log: string[] = [];
    const http = { name: 'http', stop: () => Promise.reject(new Error('http could not close')) };
    const outbox = part('outbox', log);
    const life = createLifecycle({ start: [], stop: [http, outbox] });
    await expect(life.stop()).rejects.toThrow('http could not close');
    expect(log).toEqual(['stop outbox']);
  });
});
