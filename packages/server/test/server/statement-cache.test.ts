// The statement cache of the PostgreSQL pool (db/open.ts): data statements are prepared once they
// repeat on a connection, marked ones from their first use, others never; prepared statements are
// re-planned as their executions double (statement-rules.ts, replanAfter) and bounded per connection. Each test runs in one transaction,
// which pins one connection, and reads that connection's pg_prepared_statements. PostgreSQL only
// (PGlite's prepared statements: pglite-prepared.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompiledQuery, sql, type Transaction } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { openDatabase, PREPARED_MARK, RETRY_REQUEST, STATEMENT_CACHE } from '../../src/db/open.ts';
import { replanAfter } from '../../src/db/statement-rules.ts';
import { storeName, useTestDatabase } from '../helpers/app.ts';

/** The connection's prepared statements whose text contains `marker`. */
async function preparedWith(trx: Transaction<Database>, marker: string): Promise<{ name: string; statement: string }[]> {
  // The marker is a parameter, so this statement's own text never contains it.
  const r = await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements WHERE strpos(statement, ${marker}) > 0 ORDER BY name`.execute(trx);
  return r.rows;
}

const run = (trx: Transaction<Database>, text: string) => trx.executeQuery(CompiledQuery.raw(text, []));

test('the re-planning schedule of prepared statements (both stores): each power of two from 8 to 65,536, then every 65,536', () => {
  const due = Array.from({ length: 140_000 }, (_, i) => i + 1).filter(replanAfter);
  assert.deepEqual(due, [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072]);
});

describe('statement cache (PostgreSQL)', { skip: storeName !== 'postgres' && 'PostgreSQL only' }, () => {
  const database = useTestDatabase();

  test('a data statement is prepared from its third use on a connection, with the same results', async () => {
    await database().db.transaction().execute(async (trx) => {
      const text = "SELECT 41 + 1 AS n, 'cache-a' AS marker";
      for (let i = 1; i <= 5; i++) {
        const r = await run(trx, text);
        assert.deepEqual(r.rows, [{ n: 42, marker: 'cache-a' }]);
        assert.equal((await preparedWith(trx, "'cache-a'")).length, i >= STATEMENT_CACHE.prepareAfter ? 1 : 0, `after use ${i}`);
      }
    });
  });

  test('values are parameters: one prepared statement serves every value', async () => {
    await database().db.transaction().execute(async (trx) => {
      for (let i = 0; i < 6; i++) {
        const r = await sql<{ v: number; marker: string }>`SELECT ${i}::int AS v, 'cache-b' AS marker`.execute(trx);
        assert.deepEqual(r.rows, [{ v: i, marker: 'cache-b' }]);
      }
      assert.equal((await preparedWith(trx, "'cache-b'")).length, 1);
    });
  });

  test('a marked statement is prepared from its first use; other statements, and texts of several, never are', async () => {
    await database().db.transaction().execute(async (trx) => {
      await run(trx, `${PREPARED_MARK} SELECT 'cache-c' AS marker`);
      assert.equal((await preparedWith(trx, "'cache-c'")).length, 1);
      for (let i = 0; i < 5; i++) await run(trx, "SET LOCAL application_name = 'cache-d'");
      assert.equal((await preparedWith(trx, "'cache-d'")).length, 0);
      // Several statements in one text (simple query protocol) run as before, unprepared.
      for (let i = 0; i < 5; i++) await run(trx, "SELECT 'cache-i' AS marker; SELECT 'cache-i' AS marker");
      assert.equal((await preparedWith(trx, "'cache-i'")).length, 0);
    });
  });

  test('a prepared statement is prepared afresh (re-planned) at its 8th and 16th executions, the old one dropped each time', async () => {
    await database().db.transaction().execute(async (trx) => {
      const text = "SELECT 'cache-e' AS marker";
      const names: string[][] = [];
      // Executions of the prepared statement: 1 at the text's prepareAfter-th use.
      for (let i = 0; i < STATEMENT_CACHE.prepareAfter - 1 + 17; i++) {
        await run(trx, text);
        names.push((await preparedWith(trx, "'cache-e'")).map((p) => p.name));
      }
      const at = (executions: number) => names[STATEMENT_CACHE.prepareAfter - 2 + executions]!;
      for (const n of [1, 7, 8, 15, 16, 17]) assert.equal(at(n).length, 1, `one prepared statement at a time (execution ${n})`);
      assert.equal(at(7)[0], at(1)[0]);
      assert.match(at(8)[0]!, /_1$/);
      assert.equal(at(15)[0], at(8)[0]);
      assert.match(at(16)[0]!, /_2$/);
      assert.equal(at(17)[0], at(16)[0]);
    });
  });

  test('at most maxPrepared statements per connection, the least recently used dropped first', async () => {
    await database().db.transaction().execute(async (trx) => {
      const n = STATEMENT_CACHE.maxPrepared + 20;
      const text = (i: number) => `SELECT ${i} AS i, 'cache-f' AS marker`;
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < STATEMENT_CACHE.prepareAfter; k++) await run(trx, text(i));
      }
      const prepared = await preparedWith(trx, "'cache-f'");
      const all = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements`.execute(trx);
      assert.ok(all.rows[0]!.n <= STATEMENT_CACHE.maxPrepared, `${all.rows[0]!.n} prepared on the connection`);
      // The connection's few other prepared statements (this test's own query, say) count too.
      assert.ok(prepared.length > STATEMENT_CACHE.maxPrepared - 10, `${prepared.length} kept`);
      const texts = new Set(prepared.map((p) => p.statement));
      assert.ok(!texts.has(text(0)), 'the oldest is gone');
      assert.ok(texts.has(text(n - 1)), 'the newest is kept');
      // An evicted text runs (and is prepared again) as before.
      for (let k = 0; k < STATEMENT_CACHE.prepareAfter; k++) assert.deepEqual((await run(trx, text(0))).rows, [{ i: 0, marker: 'cache-f' }]);
      assert.ok((await preparedWith(trx, "'cache-f'")).some((p) => p.statement === text(0)));
    });
  });

  test('DATABASE_PREPARED_STATEMENTS off (a pooler in transaction mode): nothing is prepared, marked statements neither', async () => {
    const plain = await openDatabase({ databaseUrl: process.env.DATABASE_URL!, pgliteDir: null, searchPath: database().schema!, poolSize: 1, preparedStatements: false });
    try {
      await plain.db.transaction().execute(async (trx) => {
        for (let i = 0; i < STATEMENT_CACHE.prepareAfter + 2; i++) {
          assert.deepEqual((await run(trx, "SELECT 'cache-g' AS marker")).rows, [{ marker: 'cache-g' }]);
          await run(trx, `${PREPARED_MARK} SELECT 'cache-h' AS marker`);
        }
        const all = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements`.execute(trx);
        assert.equal(all.rows[0]!.n, 0);
      });
    } finally {
      await plain.close();
    }
  });

  test('a prepared SELECT * whose table gained a column (a migration by a newer process) is prepared afresh: alone it just runs, in a transaction the request is marked for a retry', async () => {
    const one = await openDatabase({ databaseUrl: process.env.DATABASE_URL!, pgliteDir: null, searchPath: database().schema!, poolSize: 1 });
    try {
      const db = one.db;
      await db.executeQuery(CompiledQuery.raw('CREATE TABLE stale_probe (id int)', []));
      await db.executeQuery(CompiledQuery.raw('INSERT INTO stale_probe VALUES (1)', []));
      const select = () => db.executeQuery(CompiledQuery.raw('SELECT * FROM stale_probe', []));
      for (let i = 0; i < STATEMENT_CACHE.prepareAfter + 1; i++) assert.deepEqual((await select()).rows, [{ id: 1 }]);
      await db.executeQuery(CompiledQuery.raw('ALTER TABLE stale_probe ADD COLUMN note text', []));
      assert.deepEqual((await select()).rows, [{ id: 1, note: null }], 'run again, prepared afresh');
      await db.executeQuery(CompiledQuery.raw('ALTER TABLE stale_probe ADD COLUMN other int', []));
      const inTransaction = db.transaction().execute((trx) => trx.executeQuery(CompiledQuery.raw('SELECT * FROM stale_probe', [])));
      await assert.rejects(inTransaction, (err: any) => err[RETRY_REQUEST] === true);
      assert.deepEqual((await select()).rows, [{ id: 1, note: null, other: null }], 'and works afterwards');
    } finally {
      await one.close();
    }
  });
});
