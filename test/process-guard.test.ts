import { EventEmitter } from 'node:events';
import { installProcessGuard } from '../src/process-guard';
import { createLogger } from '../src/logger';
import { FakeWhatsAppClient } from './support/fake-whatsapp-client';
import { captureLogs } from './support/test-app';

/** A process stand-in: the same events, and an exit that is only recorded. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  return Object.assign(emitter, { exit: (code: number) => void exits.push(code), exits });
}

describe('the process guard', () => {
  test('a rejection the WhatsApp library never awaited is logged without its words, and the process goes on', async () => {
    const logs = captureLogs();
    const proc = fakeProcess();
    const guard = installProcessGuard({
      process: proc,
      logger: createLogger({ level: 'info', pretty: false, destination: logs.stream }),
    });
    // The library's LOGOUT handler keeps running after the event; the browser is closed under it.
    const client = new FakeWhatsAppClient('manual', {
      onStray: (reason) => proc.emit('unhandledRejection', reason, Promise.resolve()),
    });
    await client.initialize();
    client.ready();
    client.logout();
    await client.destroy();
    await new Promise((r) => setImmediate(r));
    // `throw 'auth timeout'` rejects with a bare string.
    client.stray('auth timeout');
    proc.emit('unhandledRejection', new Error('could not send to 919876543210@c.us'), Promise.resolve());
    const lines = logs.lines().filter((l) => l.includes('"event":"unhandled_rejection"'));
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('"library":true');
    expect(logs.lines().join('\n')).not.toContain('9876543210');
    expect(proc.exits).toEqual([]);
    guard.uninstall();
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
  });

  test('an uncaught exception from the library is survived; one from our own code ends the process', () => {
    const logs = captureLogs();
    const proc = fakeProcess();
    const guard = installProcessGuard({
      process: proc,
      logger: createLogger({ level: 'info', pretty: false, destination: logs.stream }),
    });
    const fromLibrary = new Error('Protocol error (Runtime.callFunctionOn): Target closed.');
    fromLibrary.stack = `Error: x\n    at CDPSession.send (/app/node_modules/puppeteer-core/lib/cjs/puppeteer/cdp/CDPSession.js:104:19)`;
    proc.emit('uncaughtException', fromLibrary);
    expect(proc.exits).toEqual([]);
    proc.emit('uncaughtException', new TypeError('ours'));
    expect(proc.exits).toEqual([1]);
    expect(logs.lines().filter((l) => l.includes('"event":"uncaught_exception"'))).toHaveLength(2);
    guard.uninstall();
  });
});
