import type { Reply, Text } from '../core/messages';
import { isRating } from '../domain/ticket-closure';

/** Button scope of the rating question; the value is `REF:n` with n from 1 to 5. */
export const FEEDBACK_SCOPE = 'fb';

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/**
 * "Is your problem solved?" with five rating buttons, one per star. `key`
 * chooses the wording (the question after a resolution, or the notice of a
 * closure without feedback, which still accepts a late rating).
 */
export function ratingQuestion(ref: string, key = 'feedback.question', params: Text['params'] = {}): Reply {
  return {
    text: t(key, { ref, ...params }),
    buttons: {
      scope: FEEDBACK_SCOPE,
      options: [1, 2, 3, 4, 5].map((n) => ({ value: `${ref}:${n}`, label: t(`feedback.rating.${n}`) })),
    },
  };
}

/** A pressed rating button's value back as reference and rating; undefined when malformed. */
export function parseRatingValue(value: string): { ref: string; rating: number } | undefined {
  const m = /^([A-Z]{2,6}-\d{6,}):([1-5])$/.exec(value);
  if (!m) return undefined;
  const rating = Number(m[2]);
  return isRating(rating) ? { ref: m[1] as string, rating } : undefined;
}

/**
 * Whether a rating alone means "solved" when the conversation asks only for
 * stars: three or more. (A conversation that also asks yes/no passes that answer instead.)
 */
export function satisfiedByRating(rating: number): boolean {
  return rating >= 3;
}
