import { stringify, type Options } from 'csv-stringify/sync';

/** A value of one CSV cell; empty for null and undefined. */
export type CsvValue = string | number | boolean | null | undefined;

/** The byte order mark that makes Excel read a CSV file as UTF-8 (so Hindi shows). */
export const UTF8_BOM = '\uFEFF';

/**
 * The one CSV dialect of every export (the chat `/export`, the dashboard's
 * CSV): RFC 4180 with CRLF, fields quoted where needed, and csv-stringify's
 * formula guard (`escape_formulas`, OWASP's advice): a text cell starting with
 * = + - @ (or a tab, a carriage return, or their full-width forms) gets an
 * apostrophe in front, because names come from chat profiles and numbers from
 * shared contact cards, so any of them may be a formula. Numbers and booleans
 * are ours and stay as they are (-3 is -3, true is true).
 */
const DIALECT: Options = {
  record_delimiter: 'windows',
  // Given a record delimiter, csv-stringify stops quoting cells that hold a lone \n or \r
  // unless told to: a description with a line break would then split its record.
  quote_record_delimiter: true,
  escape_formulas: true,
  cast: { boolean: (value) => String(value) },
};

/** One CSV record, ended with CRLF; a stream of records is the header line, then one of these per row. */
export function csvLine(cells: readonly CsvValue[]): string {
  return stringify([cells], DIALECT);
}

/**
 * Rows as one CSV text, with a UTF-8 byte order mark in front.
 * @example toCsv([['ref', 'description'], ['ALR-000001', 'no ration, no wheat']])
 */
export function toCsv(rows: ReadonlyArray<readonly CsvValue[]>): string {
  return UTF8_BOM + stringify(rows as CsvValue[][], DIALECT);
}
