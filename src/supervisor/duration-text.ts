import type { Text } from '../conversation/types';

/**
 * A span of time in words for reports ("3 h 20 min", "2 d 4 h"): minutes
 * under an hour, hours and minutes under two days, days and hours beyond.
 */
export function durationText(ms: number): Text {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return { key: 'supervisor.duration.minutes', params: { m: minutes } };
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return { key: 'supervisor.duration.hours', params: { h: hours, m: minutes % 60 } };
  return { key: 'supervisor.duration.days', params: { d: Math.floor(hours / 24), h: hours % 24 } };
}
