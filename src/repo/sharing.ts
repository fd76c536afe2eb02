/**
 * What reading a file gives, shared while `sharingReads` runs: validate loads the repository once per environment and
 * the test-file checks read every specification again, while parsing a file or loading a specification does not
 * depend on the environment (templates are rendered on the parsed data). Each read gets its own copy, as if it had
 * done the work itself; everything is dropped when `sharingReads` returns, so nothing outlives the command.
 */
type Table = Map<string, { text: string; result: unknown }>;

let tables: Map<string, Table> | undefined;

export function sharingReads<R>(read: () => R): R {
  const outer = tables;
  tables ??= new Map();
  try {
    return read();
  } finally {
    tables = outer;
  }
}

/**
 * `compute()`'s result for `key` (a file, say) read as `text`, computed once while sharing (always, outside), each
 * caller getting `copy` of it.
 */
export function shared<T>(table: string, key: string, text: string, compute: () => T, copy: (result: T) => T): T {
  if (!tables) return compute();
  let entries = tables.get(table);
  if (!entries) tables.set(table, (entries = new Map()));
  let entry = entries.get(key);
  if (entry?.text !== text) {
    entry = { text, result: compute() };
    entries.set(key, entry);
  }
  return copy(entry.result as T);
}
