// db/compile-once.ts: a statement built once runs with each call's values, the same text every time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { compileOnce } from '../../src/db/compile-once.ts';
import { storeName, useTestDatabase } from '../helpers/app.ts';

describe(`compileOnce (${storeName})`, () => {
  const opened = useTestDatabase();
  const db = () => opened().db;

  test('built once; each call runs with its own values, constants kept, the same text', async () => {
    let builds = 0;
    const statement = compileOnce<'a' | 'b'>((_db, v) => {
      builds += 1;
      return sql`SELECT ${v('a')}::int + ${v('b')}::int AS sum, ${'constant'}::text AS c, ${v('a')}::int AS a_again`;
    });
    const first = statement<{ sum: number; c: string; a_again: number }>(db(), { a: 1, b: 2 });
    const second = statement<{ sum: number; c: string; a_again: number }>(db(), { a: 40, b: 2 });
    assert.equal(builds, 1);
    assert.equal(first.sql, second.sql, 'the same string');
    assert.deepEqual((await db().executeQuery(first)).rows, [{ sum: 3, c: 'constant', a_again: 1 }]);
    assert.deepEqual((await db().executeQuery(second)).rows, [{ sum: 42, c: 'constant', a_again: 40 }]);
  });

  test('a missing or unknown value is refused before anything runs', () => {
    const statement = compileOnce<'a'>((_db, v) => sql`SELECT ${v('a')}::int AS a`);
    assert.throws(() => statement(db(), {} as { a: number }), /no value for slot "a"/);
    assert.throws(() => statement(db(), { a: 1, b: 2 } as { a: number }), /slots the statement does not have: b/);
  });
});
