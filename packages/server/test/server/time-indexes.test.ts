// The time-ordered indexes are ascending (migration 0005): a new row's key goes to the right end of
// its range, where a B-tree insert is cheapest. The lists ask for newest first, so each is checked
// to be served by a backward scan of one of them (the planner picks which on an empty table), with
// no sort: the lists lose nothing. And the migration's down() puts the descending indexes back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import * as m0005 from '../../src/db/migrations/2026_11_23_0005_ascending_time_indexes.ts';
import { useTestDatabase } from '../helpers/app.ts';

/** Per index of the migration: its key columns, and whether any of them is descending. */
async function indexKeys(db: Kysely<any>): Promise<Map<string, { columns: string; descending: boolean }>> {
  const r = await sql<{ name: string; columns: string; descending: boolean }>`
    SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS columns,
           EXISTS (SELECT 1 FROM unnest(i.indoption::int2[]) o WHERE o & 1 = 1) AS descending
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(${m0005.INDEXES.map(([name]) => name)})`.execute(db);
  return new Map(r.rows.map((x) => [x.name, { columns: x.columns, descending: x.descending }]));
}

/** Every index of the migration exists and has the given direction. */
async function assertAll(db: Kysely<any>, descending: boolean): Promise<void> {
  const keys = await indexKeys(db);
  assert.equal(keys.size, m0005.INDEXES.length, 'each index of the migration exists');
  for (const [name, k] of keys) assert.equal(k.descending, descending, `${name}: ${k.columns}`);
}

/** The plan of `query` with sequential and bitmap scans off: what the index alone can do. */
async function planOf(db: Kysely<any>, query: string): Promise<string> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    await sql`SET LOCAL enable_bitmapscan = off`.execute(trx);
    const r = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${sql.raw(query)}`.execute(trx);
    return r.rows.map((x) => x['QUERY PLAN']).join('\n');
  });
}

describe('time-ordered indexes', () => {
  const database = useTestDatabase();

  test('every one is ascending after the migrations', async () => {
    await assertAll(database().db, false);
  });

  test('the newest-first lists are backward scans of them, with no sort', async () => {
    const lists: string[] = [
      "SELECT id FROM organization_invitations WHERE organization_id = 'org_x' AND status = 'pending' ORDER BY created_at DESC, id DESC LIMIT 20",
      "SELECT id FROM organization_invitations WHERE organization_id = 'org_x' ORDER BY created_at DESC, id DESC LIMIT 20",
      'SELECT id FROM organization_invitations ORDER BY created_at DESC, id DESC LIMIT 20',
      "SELECT id FROM invitations WHERE status = 'pending' ORDER BY created_at DESC, id DESC LIMIT 20",
      'SELECT id FROM invitations ORDER BY created_at DESC, id DESC LIMIT 20',
      'SELECT id FROM users ORDER BY created_at DESC, id DESC LIMIT 20',
      'SELECT id FROM organizations ORDER BY created_at DESC, id DESC LIMIT 20',
      "SELECT id FROM organization_memberships WHERE organization_id = 'org_x' ORDER BY created_at DESC, id DESC LIMIT 20",
      "SELECT id FROM organization_memberships WHERE user_id = 'user_x' ORDER BY created_at DESC LIMIT 20",
      "SELECT id FROM sign_ins WHERE client_id = 'client_x' ORDER BY created_at DESC LIMIT 1",
      "SELECT id FROM sign_ups WHERE client_id = 'client_x' ORDER BY created_at DESC LIMIT 1",
    ];
    const names = new Set(m0005.INDEXES.map(([name]) => name));
    for (const query of lists) {
      const plan = await planOf(database().db, query);
      const used = /Index (?:Only )?Scan Backward using (\w+)/.exec(plan)?.[1];
      assert.ok(used !== undefined && names.has(used), `a backward scan of one of the indexes: ${query}\n${plan}`);
      assert.doesNotMatch(plan, /Sort/, `${query}\n${plan}`);
    }
  });

  test("the migration's down() makes them descending again, and up() ascending", async () => {
    const db = database().db;
    await m0005.down(db);
    try {
      await assertAll(db, true);
    } finally {
      await m0005.up(db);
    }
    await assertAll(db, false);
  });
});
