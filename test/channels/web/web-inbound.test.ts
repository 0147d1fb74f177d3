import { fakePhoneFor, WebRequestError, webRequestToInbound } from '../../../src/channels/web/web-inbound';
import { sniffImageType } from '../../../src/channels/web/web-file-store';
import { loadPlaces } from '../../../src/channels/web/web-places';
import { parseIndianMobile } from '../../../src/conversation/text-input';
import { REPO_ROOT } from '../../support/test-app';
import { makePng } from '../../http/sim-test-server';

const places = loadPlaces(`${REPO_ROOT}/flows`);
const AT = new Date('2026-11-28T04:30:00.000Z');
const base = { chatId: 'citizen-1', clientId: 'abcdefgh12' };

describe('webRequestToInbound', () => {
  it('makes a channel-neutral message keyed by the client id', () => {
    const { inbound, input } = webRequestToInbound(
      { ...base, kind: 'text', text: '  राशन\u0000 नहीं मिला ', firstName: 'सीमा' },
      places,
      AT,
    );
    expect(inbound).toEqual({
      channel: 'web',
      chatId: 'citizen-1',
      updateKey: 'abcdefgh12',
      receivedAt: AT,
      firstName: 'सीमा',
      content: { kind: 'text', text: 'राशन नहीं मिला' },
    });
    expect(input).toEqual({ kind: 'text', text: 'राशन नहीं मिला' });
  });

  it('reads typed commands, with or without a bot name, and explicit ones', () => {
    expect(
      webRequestToInbound({ ...base, kind: 'text', text: '/Status@JanSahayakBot ALR-000001' }, places, AT).inbound
        .content,
    ).toEqual({
      kind: 'command',
      command: 'status',
      args: 'ALR-000001',
    });
    const explicit = webRequestToInbound({ ...base, kind: 'command', command: 'language', args: 'en' }, places, AT);
    expect(explicit.inbound.content).toEqual({ kind: 'command', command: 'language', args: 'en' });
    expect(explicit.input).toEqual({ kind: 'command', text: '/language en' });
  });

  it('splits button data, and marks malformed data unsupported instead of guessing', () => {
    expect(
      webRequestToInbound({ ...base, kind: 'button', data: 'block|jobat', label: 'जोबट' }, places, AT),
    ).toMatchObject({
      inbound: { content: { kind: 'button', scope: 'block', value: 'jobat' } },
      input: { kind: 'button', label: 'जोबट' },
    });
    expect(webRequestToInbound({ ...base, kind: 'button', data: 'nonsense' }, places, AT).inbound.content).toEqual({
      kind: 'unsupported',
      what: 'button',
    });
  });

  it('turns a preset place into its coordinates from places.yaml', () => {
    for (const place of places) {
      const { inbound } = webRequestToInbound({ ...base, kind: 'location', placeId: place.id }, places, AT);
      expect(inbound.content).toEqual({ kind: 'location', lat: place.lat, lon: place.lon });
    }
    expect(() => webRequestToInbound({ ...base, kind: 'location', placeId: 'atlantis' }, places, AT)).toThrow(
      WebRequestError,
    );
    expect(() => webRequestToInbound({ ...base, kind: 'location' }, places, AT)).toThrow(WebRequestError);
  });

  it('shares a stable, valid Indian mobile number that differs between simulated people', () => {
    const { inbound } = webRequestToInbound({ ...base, kind: 'contact' }, places, AT);
    expect(inbound.content).toEqual({ kind: 'contact', phone: fakePhoneFor('citizen-1'), own: true });
    const ids = ['citizen-1', 'citizen-2', 'citizen-3', 'officer-1', 'supervisor-1', 'counsellor-1'];
    for (const id of ids) expect(parseIndianMobile(fakePhoneFor(id))).toBe(fakePhoneFor(id));
    expect(new Set(ids.map(fakePhoneFor)).size).toBe(ids.length);
    expect(fakePhoneFor('citizen-1')).toBe(fakePhoneFor('citizen-1'));
  });

  it('rejects what the page never sends', () => {
    const bad: unknown[] = [
      null,
      'text',
      { ...base, kind: 'voice' },
      { ...base, kind: 'text', text: 'x'.repeat(4097) },
      { ...base, kind: 'text', text: '\u0000\u0001' },
      { ...base, chatId: '../../etc', kind: 'text', text: 'x' },
      { ...base, kind: 'photo', fileId: '../../etc/passwd' },
      { ...base, kind: 'command', command: 'Start; rm' },
    ];
    for (const body of bad) expect(() => webRequestToInbound(body, places, AT)).toThrow(WebRequestError);
  });
});

describe('sniffImageType', () => {
  it('knows images by their first bytes, not by what the client says', () => {
    expect(sniffImageType(makePng(2, 2))).toBe('image/png');
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('image/jpeg');
    expect(sniffImageType(Buffer.from('GIF89a……', 'latin1'))).toBe('image/gif');
    expect(sniffImageType(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]))).toBe(
      'image/webp',
    );
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImageType(Buffer.from('<html><script>alert(1)</script>'))).toBeUndefined();
    expect(sniffImageType(Buffer.alloc(0))).toBeUndefined();
  });
});
