// Opens the database: embedded PGlite in the data directory when no DATABASE_URL is set,
// PostgreSQL through a `pg` pool otherwise. Both speak the same SQL through Kysely.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';
import { preparingPGlite } from './pglite-prepared.ts';
import { CACHE_PREPARED, CACHE_TEXTS, isSinglePreparable, isStalePlan, PREPARE_AFTER, PREPARED_MARK, replanAfter } from './statement-rules.ts';

export interface OpenDatabaseOptions {
  databaseUrl: string | null;
  /** PGlite data directory; null for an in-memory PGlite (tests). */
  pgliteDir: string | null;
  poolSize?: number;
  /** Named prepared statements on PostgreSQL (statement cache, PREPARED_MARK); default true. */
  preparedStatements?: boolean;
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

export { PREPARED_MARK, STATEMENT_CACHE } from './statement-rules.ts';

/** Per statement text, the base of its prepared statement names: a digest of the text, so a changed or new variant gets a new name. */
const preparedBases = new Map<string, string>();
function preparedBase(text: string): string {
  let base = preparedBases.get(text);
  if (base === undefined) {
    base = `tessera_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    if (preparedBases.size >= 10_000) preparedBases.clear();
    preparedBases.set(text, base);
  }
  return base;
}

interface StatementOnConnection {
  /** Executions of this text on this connection. */
  uses: number;
  /** The prepared statement's name once prepared, else null. */
  name: string | null;
  generation: number;
  /** Executions since it was (re-)prepared. */
  preparedUses: number;
}

type PgClientInternals = { connection?: { parsedStatements?: Record<string, string> } };

/** Drops a prepared statement the server has confirmed (ParseComplete); an unknown name would abort the transaction. */
function deallocate(client: pg.PoolClient, name: string): void {
  const parsed = (client as unknown as PgClientInternals).connection?.parsedStatements;
  if (parsed?.[name] === undefined) return;
  delete parsed[name];
  client.query(`DEALLOCATE ${name}`).catch(() => {});
}

class StatementCache {
  /** Least recently used first. */
  private readonly texts = new Map<string, StatementOnConnection>();
  private prepared = 0;
  constructor(private readonly client: pg.PoolClient) {}

  /** The name to run `text` under, or null to run it unnamed. */
  nameFor(text: string): string | null {
    const always = text.startsWith(PREPARED_MARK);
    let s = this.texts.get(text);
    if (s === undefined) {
      if (!always && !isSinglePreparable(text)) return null;
      s = { uses: 0, name: null, generation: 0, preparedUses: 0 };
      if (this.texts.size >= CACHE_TEXTS) this.evictOldest(() => true);
    } else {
      this.texts.delete(text);
    }
    this.texts.set(text, s);
    s.uses += 1;
    if (s.name === null) {
      if (!always && s.uses < PREPARE_AFTER) return null;
      if (this.prepared >= CACHE_PREPARED) this.evictOldest((x) => x.name !== null);
      s.name = `${preparedBase(text)}_0`;
      this.prepared += 1;
    }
    s.preparedUses += 1;
    if (replanAfter(s.preparedUses)) {
      const old = s.name;
      s.generation += 1;
      s.name = `${preparedBase(text)}_${s.generation}`;
      deallocate(this.client, old); // queued before the statement itself
    }
    return s.name;
  }

  /**
   * The statement's prepared plan went stale in a way PostgreSQL refuses to re-plan silently
   * ("cached plan must not change result type": a migration of another process added a column
   * under a prepared `SELECT *`). The text is prepared afresh, under a new name, on its next use;
   * the old statement stays allocated until the connection closes (a DEALLOCATE could fail inside
   * the aborted transaction that saw the error).
   */
  stale(text: string): void {
    const s = this.texts.get(text);
    if (s === undefined || s.name === null) return;
    s.generation += 1;
    s.name = `${preparedBase(text)}_${s.generation}`;
    s.preparedUses = 0;
  }

  private evictOldest(which: (s: StatementOnConnection) => boolean): void {
    for (const [text, s] of this.texts) {
      if (!which(s)) continue;
      this.texts.delete(text);
      if (s.name !== null) {
        deallocate(this.client, s.name);
        this.prepared -= 1;
      }
      return;
    }
  }
}

/**
 * Runs a named prepared statement. The Query is built from the text (not from a config object,
 * which node-postgres copies property by property on every call) and named afterwards.
 */
function queryNamed(client: pg.PoolClient, name: string, text: string, values: readonly unknown[]): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    const QueryWithCallback = pg.Query as unknown as new (text: string, values: unknown[], callback: (err: Error | null, res: pg.QueryResult) => void) => pg.Query & { name?: string };
    const query = new QueryWithCallback(text, values as unknown[], (err, res) => (err ? reject(err) : resolve(res)));
    query.name = name;
    client.query(query);
  });
}

type PgQueryArgs = [text: string, values: readonly unknown[] | undefined];

/**
 * Marks an error the request can simply be sent again after (it changed nothing): the error
 * handler answers 409 request_conflict. Set on a stale prepared plan met inside a transaction.
 */
export const RETRY_REQUEST = Symbol('tessera.retryRequest');

const TRANSACTION_START = /^\s*(?:begin|start\s+transaction)\b/i;
const TRANSACTION_END = /^\s*(?:commit|rollback|end|abort)\s*;?\s*$/i;

/**
 * The pg pool as Kysely sees it, with one difference: each connection runs the statements its
 * StatementCache names as prepared statements (node-postgres skips the Parse once the connection
 * has it). Everything else passes through untouched.
 */
function preparingPool(pool: pg.Pool, enabled: boolean): PostgresPool {
  if (!enabled) return pool as unknown as PostgresPool;
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let w = wrapped.get(client);
    if (w === undefined) {
      const cache = new StatementCache(client);
      let inTransaction = false;
      const query = (...args: unknown[]): unknown => {
        const [text, values] = args as PgQueryArgs;
        if (typeof text === 'string' && args.length <= 2) {
          if (TRANSACTION_START.test(text)) inTransaction = true;
          else if (TRANSACTION_END.test(text)) inTransaction = false;
          const name = cache.nameFor(text);
          if (name !== null) {
            return queryNamed(client, name, text, values ?? []).catch((err: unknown) => {
              if (!isStalePlan(err)) throw err;
              cache.stale(text);
              // Alone, the statement is simply run again (prepared afresh); inside a transaction,
              // which the error aborted, the request is answered "retry".
              if (inTransaction) throw Object.assign(err as object, { [RETRY_REQUEST]: true });
              return queryNamed(client, cache.nameFor(text) ?? name, text, values ?? []);
            });
          }
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
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool, opts.preparedStatements ?? true) }) });
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
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: opts.preparedStatements === false ? pglite : preparingPGlite(pglite) }) });
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
