import type { InboundContent } from './types';

/**
 * A location pin as the conversation takes it: a place on Earth, or else an
 * unsupported message (answered as one). Coordinates that are NaN, infinite or
 * past the poles or the date line come from broken or forged updates; stored,
 * NaN and Infinity make the save fail (FerretDB refuses them) and the citizen
 * got an apology instead of an answer (found by the 100,000-update fuzz run).
 * @example placeOnEarth({ kind: 'location', lat: NaN, lon: 75 }) // { kind: 'unsupported', what: 'location' }
 */
export function placeOnEarth(content: InboundContent): InboundContent {
  if (content.kind !== 'location') return content;
  const { lat, lon } = content;
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180)
    return { kind: 'unsupported', what: 'location' };
  return content;
}
