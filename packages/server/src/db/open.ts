// Opens the database: embedded PGlite in the data directory when no DATABASE_URL is set,
// PostgreSQL through a `pg` pool otherwise. Both speak the same SQL through Kysely.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

export interface OpenDatabaseOptions {
  databaseUrl: string | null;
  /** PGlite data directory; null for an in-memory PGlite (tests). */
  pgliteDir: string | null;
  poolSize?: number;
  /** PostgreSQL schema to use as search_path (tests get a fresh one each). */
  searchPath?: string;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /** The schema given as searchPath, if any: other stores in the same database (rate limits) use it too. */
  schema: string | null;
  describe: string;
  close(): Promise<void>;
}

/**
 * A statement whose text starts with this mark runs on PostgreSQL as a named prepared statement:
 * parsed and planned once per connection instead of on every call (a large CTE costs PostgreSQL
 * more to plan than to execute). Only for constant texts of the code (run with CompiledQuery.raw,
 * a few variants at most), never for text that varies with the data (IN lists, …): every distinct
 * text becomes one prepared statement on every pooled connection. On PGlite it is just a comment.
 */
export const PREPARED_MARK = '/* tessera:prepared */';

/** Per marked text, the base of its prepared statement names: a digest of the text, so a changed or new variant gets a new name. */
const preparedBases = new Map<string, string>();
function preparedBase(text: string): string {
  let base = preparedBases.get(text);
  if (base === undefined) {
    base = `tessera_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    preparedBases.set(text, base);
  }
  return base;
}

/**
 * When a connection prepares a statement afresh: after 10, 100, 1,000 and 10,000 executions, then
 * every 10,000. PostgreSQL keeps a prepared statement's generic plan until the statistics of its
 * tables change, and a plan made while a table was nearly empty (a new installation, or autovacuum
 * off) can scan what has since grown large; re-planning now and then, early more often (while
 * tables grow fastest relative to their size), bounds how long such a plan lives, at the price of
 * one planning per that many executions.
 */
function replanAfter(uses: number): boolean {
  return uses === 10 || uses === 100 || uses === 1_000 || uses % 10_000 === 0;
}

interface PreparedOnConnection {
  name: string;
  uses: number;
  generation: number;
}

type PgClientInternals = { connection?: { parsedStatements?: Record<string, string> } };

/**
 * Runs a named prepared statement. The Query is built from the text (not from a config object,
 * which node-postgres copies property by property on every call) and named afterwards.
 */
function queryPrepared(client: pg.PoolClient, state: Map<string, PreparedOnConnection>, text: string, values: readonly unknown[]): Promise<pg.QueryResult> {
  let p = state.get(text);
  if (p === undefined) {
    p = { name: `${preparedBase(text)}_0`, uses: 0, generation: 0 };
    state.set(text, p);
  }
  p.uses += 1;
  if (replanAfter(p.uses)) {
    const old = p.name;
    p.generation += 1;
    p.name = `${preparedBase(text)}_${p.generation}`;
    // Only a statement the server confirmed (ParseComplete) is deallocated: a DEALLOCATE of an
    // unknown name would fail, and inside a transaction abort it. Queued before the query below.
    const parsed = (client as unknown as PgClientInternals).connection?.parsedStatements;
    if (parsed?.[old] !== undefined) {
      delete parsed[old];
      client.query(`DEALLOCATE ${old}`).catch(() => {});
    }
  }
  return new Promise((resolve, reject) => {
    const QueryWithCallback = pg.Query as unknown as new (text: string, values: unknown[], callback: (err: Error | null, res: pg.QueryResult) => void) => pg.Query & { name?: string };
    const query = new QueryWithCallback(text, values as unknown[], (err, res) => (err ? reject(err) : resolve(res)));
    query.name = p.name;
    client.query(query);
  });
}

type PgQueryArgs = [text: string, values: readonly unknown[]];

/**
 * The pg pool as Kysely sees it, with one difference: a statement whose text starts with the
 * PREPARED_MARK is sent as a named statement (node-postgres skips the Parse once the connection
 * has it). Everything else passes through untouched.
 */
function preparingPool(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let w = wrapped.get(client);
    if (w === undefined) {
      const prepared = new Map<string, PreparedOnConnection>();
      const query = (...args: unknown[]): unknown => {
        const [text, values] = args as PgQueryArgs;
        if (typeof text === 'string' && text.startsWith(PREPARED_MARK)) {
          return queryPrepared(client, prepared, text, values);
        }
        return (client.query as (...a: unknown[]) => unknown)(...args);
      };
      w = {
        query: query as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
        get processID() {
          return (client as unknown as { processID?: number }).processID;
        },
      };
      wrapped.set(client, w);
    }
    return w;
  };
  return {
    Client: pg.Client as unknown as PostgresPool['Client'],
    options: pool.options,
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}

// pg returns int8 (bigint, count(*)) as strings by default; every such value here fits a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openDatabase(opts: OpenDatabaseOptions): Promise<OpenedDatabase> {
  if (opts.databaseUrl) {
    // Parallel query is off for this OLTP workload: a planner that over-estimates a small count
    // (list totals) otherwise starts workers on every request. Options already in the URL are kept.
    const options = [
      new URL(opts.databaseUrl).searchParams.get('options') ?? '',
      opts.searchPath ? `-c search_path=${opts.searchPath}` : '',
      '-c max_parallel_workers_per_gather=0',
    ].filter((o) => o !== '').join(' ');
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, options });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
    const u = new URL(opts.databaseUrl);
    return {
      db,
      kind: 'postgres',
      schema: opts.searchPath ?? null,
      describe: `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`,
      close: () => db.destroy(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  let pglite;
  if (opts.pgliteDir) {
    mkdirSync(opts.pgliteDir, { recursive: true });
    pglite = await PGlite.create(join(opts.pgliteDir, 'pgdata'));
  } else {
    pglite = await PGlite.create();
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    schema: null,
    describe: opts.pgliteDir ? `embedded PGlite in ${join(opts.pgliteDir, 'pgdata')}` : 'embedded PGlite (in memory)',
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
