/** A value of one CSV cell; empty for null and undefined. */
export type CsvValue = string | number | boolean | null | undefined;

/** The byte order mark that makes Excel read a CSV file as UTF-8 (so Hindi shows). */
export const UTF8_BOM = '\uFEFF';

/** One cell, quoted per RFC 4180 when it holds a comma, a quote or a line break. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Rows as RFC 4180 CSV: CRLF between records (and after the last), fields
 * quoted where needed, and a UTF-8 byte order mark in front.
 * @example toCsv([['ref', 'विवरण'], ['ALR-000001', 'राशन, गेहूँ']])
 */
export function toCsv(rows: ReadonlyArray<readonly CsvValue[]>): string {
  return UTF8_BOM + rows.map((r) => r.map(csvCell).join(',') + '\r\n').join('');
}

/**
 * Text that came from citizens or staff, made safe for spreadsheets: a cell
 * starting with = + - @ (or a tab or carriage return) would be run as a
 * formula by Excel, so it is prefixed with an apostrophe (OWASP's advice).
 */
export function spreadsheetSafe(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
