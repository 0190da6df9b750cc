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

/**
 * Whether a prepared statement's Nth execution runs on a fresh plan (prepared afresh): at its 8th,
 * 16th, 32nd … execution (each power of two) up to the 65,536th, then every 65,536. PostgreSQL
 * keeps a prepared statement's generic plan until the statistics of its tables change, and a plan
 * made while a table was nearly empty (a new installation; autovacuum off; embedded PGlite, which
 * never analyzes) can scan what has since grown large. Measured: a create's duplicate check read
 * every invitation by a sequential scan chosen when the table held 200 rows, 6.3 ms per create at
 * 30k rows against 0.5 ms with the plan made then. Re-planning each time the executions double
 * bounds such a plan's life to as many executions again (tables grow fastest, relative to their
 * size, when they are new), at the price of 14 plannings over the first 65,536 executions.
 */
export function replanAfter(executions: number): boolean {
  if (executions < 8) return false;
  if (executions <= 65_536) return (executions & (executions - 1)) === 0;
  return executions % 65_536 === 0;
}
