// Opens the database: embedded PGlite in the data directory when no DATABASE_URL is set,
// PostgreSQL through a `pg` pool otherwise. Both speak the same SQL through Kysely.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
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
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
