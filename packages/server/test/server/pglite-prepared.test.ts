// Named prepared statements on PGlite (db/pglite-prepared.ts): outside transactions, a data
// statement is prepared from its third use and a marked one from its first, and a prepared run
// gives exactly what an unprepared one gives (values, types, errors). Each test opens its own
// in-memory PGlite (PGlite is one session, so pg_prepared_statements shows what the wrapper did).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { openDatabase, PREPARED_MARK, STATEMENT_CACHE, type OpenedDatabase } from '../../src/db/open.ts';

const opened: OpenedDatabase[] = [];
async function pglite(preparedStatements = true): Promise<Kysely<Database>> {
  const o = await openDatabase({ databaseUrl: null, pgliteDir: null, preparedStatements });
  opened.push(o);
  return o.db;
}

/** PGlite's prepared statements whose text contains `marker` (a parameter: this text never contains it). */
async function preparedWith(db: Kysely<Database>, marker: string): Promise<string[]> {
  const r = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE strpos(statement, ${marker}) > 0`.execute(db);
  return r.rows.map((x) => x.statement);
}

const raw = (db: Kysely<Database>, text: string, params: unknown[] = []) => db.executeQuery(CompiledQuery.raw(text, params));

describe('prepared statements on PGlite', () => {
  after(async () => {
    for (const o of opened) await o.close();
  });

  test('a data statement is prepared from its third use, a marked one from its first; results unchanged', async () => {
    const db = await pglite();
    const text = "SELECT $1::int + 1 AS n, 'pgl-a' AS marker";
    for (let i = 1; i <= 5; i++) {
      const r = await raw(db, text, [i]);
      assert.deepEqual(r.rows, [{ n: i + 1, marker: 'pgl-a' }]);
      assert.equal((await preparedWith(db, "'pgl-a'")).length, i >= STATEMENT_CACHE.prepareAfter ? 1 : 0, `after use ${i}`);
    }
    await raw(db, `${PREPARED_MARK} SELECT 'pgl-b' AS marker`);
    assert.equal((await preparedWith(db, "'pgl-b'")).length, 1);
  });

  test('a prepared statement is prepared afresh (re-planned) at its 8th and 16th executions, the old one closed', async () => {
    const db = await pglite();
    const text = `${PREPARED_MARK} SELECT $1::int AS n, 'pgl-r' AS marker`;
    const names: string[] = [];
    for (let i = 1; i <= 17; i++) {
      assert.deepEqual((await raw(db, text, [i])).rows, [{ n: i, marker: 'pgl-r' }]);
      const r = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements WHERE strpos(statement, ${"'pgl-r'"}) > 0`.execute(db);
      assert.equal(r.rows.length, 1, `one prepared statement at a time (execution ${i})`);
      names.push(r.rows[0]!.name);
    }
    assert.equal(new Set(names.slice(0, 7)).size, 1, 'executions 1-7: one plan');
    assert.notEqual(names[7], names[6], 'prepared afresh at the 8th');
    assert.equal(new Set(names.slice(7, 15)).size, 1, 'executions 8-15: one plan');
    assert.notEqual(names[15], names[14], 'prepared afresh at the 16th');
    assert.equal(names[16], names[15]);
  });

  test('statements in a transaction, and a store opened without prepared statements, are left alone', async () => {
    const db = await pglite();
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 5; i++) await trx.executeQuery(CompiledQuery.raw(`${PREPARED_MARK} SELECT 'pgl-c' AS marker`, []));
    });
    assert.equal((await preparedWith(db, "'pgl-c'")).length, 0);
    const plain = await pglite(false);
    for (let i = 0; i < 5; i++) await raw(plain, `${PREPARED_MARK} SELECT 'pgl-e' AS marker`);
    assert.equal((await preparedWith(plain, "'pgl-e'")).length, 0);
  });

  test('values of every kind the service sends come back as they do unprepared', async () => {
    const db = await pglite();
    const text =
      "SELECT $1::text AS t, $2::int AS i, $3::bigint AS b, $4::boolean AS bool, $5::jsonb AS j, $6::bytea AS bytes, $7::text[] AS arr, $8::text AS nothing, $9::timestamptz AS at, 'pgl-f' AS marker";
    const params = ["it's \\ \"quoted\" ünïcode", 42, 9_007_199_254_740_991, true, JSON.stringify({ a: [1, 'x'], b: null }), Buffer.from([0, 1, 254, 255]), ['a', 'b,c', 'd"e', ''], null, new Date('2026-11-23T04:05:06.789Z')];
    const unprepared = await db.transaction().execute((trx) => trx.executeQuery(CompiledQuery.raw(text, params)));
    for (let i = 0; i < 4; i++) assert.deepEqual((await raw(db, text, params)).rows, unprepared.rows, `run ${i + 1}`);
    assert.equal((await preparedWith(db, "'pgl-f'")).length, 1);
    const row = unprepared.rows[0] as Record<string, unknown>;
    assert.deepEqual(row.j, { a: [1, 'x'], b: null });
    assert.deepEqual(row.arr, ['a', 'b,c', 'd"e', '']);
    assert.equal(row.nothing, null);
  });

  test('an error keeps its code and constraint, and the next statement runs', async () => {
    const db = await pglite();
    await raw(db, 'CREATE TABLE pgl_u (k text CONSTRAINT pgl_u_key UNIQUE)');
    const insert = `${PREPARED_MARK} INSERT INTO pgl_u (k) VALUES ($1)`;
    await raw(db, insert, ['x']);
    await assert.rejects(raw(db, insert, ['x']), (err: { code?: string; constraint?: string }) => err.code === '23505' && err.constraint === 'pgl_u_key');
    await raw(db, insert, ['y']);
    assert.deepEqual((await raw(db, 'SELECT k FROM pgl_u ORDER BY k')).rows, [{ k: 'x' }, { k: 'y' }]);
  });

  test('a prepared SELECT * over a table that gained a column is prepared afresh and shows it', async () => {
    const db = await pglite();
    await raw(db, 'CREATE TABLE pgl_s (a int)');
    await raw(db, 'INSERT INTO pgl_s VALUES (1)');
    const text = `${PREPARED_MARK} SELECT * FROM pgl_s`;
    assert.deepEqual((await raw(db, text)).rows, [{ a: 1 }]);
    await raw(db, 'ALTER TABLE pgl_s ADD COLUMN b int DEFAULT 2');
    assert.deepEqual((await raw(db, text)).rows, [{ a: 1, b: 2 }]);
  });
});
