// When a statement runs as a named prepared statement: the rules the PostgreSQL pool's statement
// cache (open.ts) and PGlite's (pglite-prepared.ts) share.

/**
 * A statement whose text starts with this mark runs as a named prepared statement from its first
 * use (a large CTE costs PostgreSQL more to plan than to execute). Other statements get there by
 * repetition (see StatementCache in open.ts, and pglite-prepared.ts). With
 * DATABASE_PREPARED_STATEMENTS off (a pooler in transaction mode between the server and
 * PostgreSQL, which would send the statements of one connection to several), and inside a
 * transaction on PGlite, it is just a comment.
 */
export const PREPARED_MARK = '/* tessera:prepared */';

/**
 * The statement cache of each pooled PostgreSQL connection, as JDBC's prepareThreshold and pgx's
 * statement cache do it: a data statement (SELECT, INSERT, UPDATE, DELETE, WITH) whose exact text
 * has run PREPARE_AFTER times on a connection is prepared there (Parse once, then Bind/Execute
 * only), which spares PostgreSQL the parsing and planning of every call: for the short statements
 * of this service, most of its CPU. Kysely builds the same text for the same query shape, with
 * the values as parameters; texts that vary with the data (IN lists of varying length) seldom
 * repeat and stay unprepared. Per connection at most CACHE_TEXTS texts are counted and
 * CACHE_PREPARED kept prepared, least recently used out first (DEALLOCATE).
 */
export const PREPARE_AFTER = 3;
export const CACHE_TEXTS = 1_024;
export const CACHE_PREPARED = 256;
/** The statement cache's limits (for its tests). */
export const STATEMENT_CACHE = { prepareAfter: PREPARE_AFTER, maxPrepared: CACHE_PREPARED } as const;
const DATA_STATEMENT = /^\s*(?:\/\*[^]*?\*\/\s*)*(?:select|insert|update|delete|with)\b/i;

/**
 * A data statement, and only one: several statements in one text run through the simple query
 * protocol, which a prepared statement cannot (a ';' inside a literal only keeps a text unprepared).
 */
export function isSinglePreparable(text: string): boolean {
  return DATA_STATEMENT.test(text) && !text.trimEnd().replace(/;$/, '').includes(';');
}

/** PostgreSQL's refusal to run a prepared statement whose result columns changed since it was prepared. */
export function isStalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}

