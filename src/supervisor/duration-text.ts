import type { Text } from '../core/messages';

/**
 * A span of time in words for reports ("3 h 20 min", "2 d 4 h"): minutes
 * under an hour, hours and minutes under two days, days and hours beyond.
 */
export function durationText(ms: number): Text {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return unit('minute', minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48)
    return {
      key: 'supervisor.duration.hours',
      params: { hours: unit('hour', hours), minutes: unit('minute', minutes % 60) },
    };
  return {
    key: 'supervisor.duration.days',
    params: { days: unit('day', Math.floor(hours / 24)), hours: unit('hour', hours % 24) },
  };
}

/** One unit with its count, so the words agree with it ("1 घंटा", "3 घंटे"). */
function unit(name: 'minute' | 'hour' | 'day', count: number): Text {
  return { key: `supervisor.duration.${name}`, params: { count } };
}
