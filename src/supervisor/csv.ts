/** A value of one CSV cell; empty for null and undefined. */
export type CsvValue = string | number | boolean | null | undefined;

/** The byte order mark that makes Excel read a CSV file as UTF-8 (so Hindi shows). */
export const UTF8_BOM = '\uFEFF';

/**
 * One cell, quoted per RFC 4180 when it holds a comma, a quote or a line
 * break. Every text cell passes {@link spreadsheetSafe} first: names come from
 * chat profiles and numbers from shared contact cards, so any of them may be
 * a formula. Numbers and booleans are ours and stay as they are (-3 is -3).
 * The one CSV cell writer: the chat `/export` and the dashboard use it.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? (spreadsheetSafe(value) ?? '') : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record, ended with CRLF as RFC 4180 says. */
export function csvLine(cells: readonly CsvValue[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * Rows as RFC 4180 CSV: CRLF between records (and after the last), fields
 * quoted where needed, and a UTF-8 byte order mark in front.
 * @example toCsv([['ref', 'विवरण'], ['ALR-000001', 'राशन, गेहूँ']])
 */
export function toCsv(rows: ReadonlyArray<readonly CsvValue[]>): string {
  return UTF8_BOM + rows.map(csvLine).join('');
}

/**
 * Text that came from citizens or staff, made safe for spreadsheets: a cell
 * starting with = + - @ (or a tab or carriage return) would be run as a
 * formula by Excel, so it is prefixed with an apostrophe (OWASP's advice).
 */
export function spreadsheetSafe(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** What a spreadsheet runs as a formula: = + - @, a tab or a carriage return first, also in their full-width forms. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
