/**
 * Hiding phone numbers in free text that staff screens and files show (the
 * dashboard, its CSV). Citizens type their number into descriptions in many
 * shapes: Latin or Devanagari digits (९८७६५ ४३२१०), split by spaces, dashes
 * of any kind, slashes, dots, brackets, or invisible characters pasted from
 * another app. One function for every view, so no view masks less than another.
 */

/** A digit of any script: Latin, Devanagari (०–९) and the other Indian scripts. */
const DIGIT = String.raw`\p{Nd}`;
/**
 * What may stand between the digits of one number: any white space (\s with
 * the u flag covers no-break and other Unicode spaces), zero-width and bidi
 * marks, soft hyphen, dots, slashes, brackets and every dash.
 */
const SEPARATOR = String.raw`[\s\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF./\\()_\-\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]`;
/** A run of digits with at most three separator characters between neighbours, perhaps led by + or a bracket. */
const NUMBER_RUN = new RegExp(String.raw`[+(\uFF0B]{0,2}${DIGIT}(?:${SEPARATOR}{0,3}${DIGIT})+`, 'gu');
const ANY_DIGIT = new RegExp(DIGIT, 'gu');

/** Fewest digits that make a run a phone number: Indian mobiles have ten. References (ALR-000123) and dates have fewer. */
export const PHONE_MIN_DIGITS = 10;

/** What a hidden number is shown as. */
export const MASKED_PHONE = '••••••••••';

/**
 * Replace anything that looks like a phone number (ten or more digits, in any
 * script, however split) with {@link MASKED_PHONE}.
 * @example maskPhones('मेरा नंबर ९८७६५-४३२१० है') // 'मेरा नंबर •••••••••• है'
 */
export function maskPhones(text: string): string {
  return text.replace(NUMBER_RUN, (run) =>
    (run.match(ANY_DIGIT)?.length ?? 0) >= PHONE_MIN_DIGITS ? MASKED_PHONE : run,
  );
}
