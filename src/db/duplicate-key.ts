// The one test for "a unique index refused this write", for both servers we run on.
// MongoDB answers code 11000 (11001 on old servers); FerretDB 1.24 on SQLite reports some
// unique violations inside an InternalError (code 1) whose text says "UNIQUE constraint
// failed", so the text counts too. An unordered insertMany reports each refusal in
// `writeErrors`, with `errmsg` instead of `message`.

const DUPLICATE_CODES = new Set([11000, 11001]);
const DUPLICATE_TEXT = /E11000|duplicate key|UNIQUE constraint failed/i;

interface WriteErrorLike {
  code?: unknown;
  errmsg?: unknown;
  message?: unknown;
}

/** One error (or one entry of a bulk write's `writeErrors`) is a unique-index violation. */
function isDuplicateEntry(e: WriteErrorLike): boolean {
  if (typeof e.code === 'number' && DUPLICATE_CODES.has(e.code)) return true;
  const text = typeof e.errmsg === 'string' ? e.errmsg : typeof e.message === 'string' ? e.message : '';
  return DUPLICATE_TEXT.test(text);
}

function writeErrorsOf(err: object): unknown[] | null {
  const list = (err as { writeErrors?: unknown }).writeErrors;
  return Array.isArray(list) && list.length > 0 ? list : null;
}

const allDuplicates = (list: unknown[]) =>
  list.every((w) => typeof w === 'object' && w !== null && isDuplicateEntry(w as WriteErrorLike));

/**
 * A write refused by a unique index, from MongoDB or FerretDB. A bulk write error counts
 * only when every one of its write errors is a duplicate (anything else is a real failure).
 * @example
 * try { await Claim.create({ _id: key }); } catch (err) { if (!isDuplicateKey(err)) throw err; return false; }
 */
export function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const writeErrors = writeErrorsOf(err);
  if (writeErrors) return allDuplicates(writeErrors);
  return isDuplicateEntry(err as WriteErrorLike);
}

/**
 * How many documents of an unordered bulk insert were refused as duplicates, when that is
 * all that went wrong; `null` when the error is anything else (rethrow it).
 * @example
 * catch (err) { const dups = duplicateWriteCount(err); if (dups === null) throw err; return docs.length - dups; }
 */
export function duplicateWriteCount(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const writeErrors = writeErrorsOf(err);
  if (!writeErrors) return null;
  return allDuplicates(writeErrors) ? writeErrors.length : null;
}

/**
 * Which documents (their positions in the batch) an unordered bulk insert had
 * refused as duplicates, when that is all that went wrong; `null` when the
 * error is anything else (rethrow it).
 * @example
 * catch (err) { const refused = duplicateWriteIndexes(err); if (refused === null) throw err; }
 */
export function duplicateWriteIndexes(err: unknown): number[] | null {
  if (typeof err !== 'object' || err === null) return null;
  const writeErrors = writeErrorsOf(err);
  if (!writeErrors || !allDuplicates(writeErrors)) return null;
  const indexes = writeErrors.map((w) => (w as { index?: unknown }).index);
  return indexes.every((i): i is number => typeof i === 'number') ? indexes : null;
}
