// The time-ordered indexes are ascending (migration 0005): a new row's key goes to the right end of
// its range, where a B-tree insert is cheapest. The lists ask for newest first, so each is checked
// to be served by a backward scan of one of them (the planner picks which on an empty table), with
// no sort: the lists lose nothing. And the migration's down() puts the descending indexes back.
// Migration 0006 then dropped one of them: an organization's list of every status (or of several)
// is a merge of its per-status ranges of organization_invitations_org_status_idx, checked here too.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import * as m0005 from '../../src/db/migrations/2026_11_23_0005_ascending_time_indexes.ts';
import * as m0006 from '../../src/db/migrations/2026_11_23_0006_organization_invitation_list_merge.ts';
import { organizationInvitationList } from '../../src/features/organization-invitations/organization-invitation.repository.ts';
import { useTestDatabase } from '../helpers/app.ts';

/** The indexes of migration 0005 that are still there after 0006. */
const KEPT = m0005.INDEXES.map(([name]) => name).filter((name) => name !== m0006.DROPPED_INDEX);

/** Per index of the migration: its key columns, and whether any of them is descending. */
async function indexKeys(db: Kysely<any>, names: readonly string[]): Promise<Map<string, { columns: string; descending: boolean }>> {
  const r = await sql<{ name: string; columns: string; descending: boolean }>`
    SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS columns,
           EXISTS (SELECT 1 FROM unnest(i.indoption::int2[]) o WHERE o & 1 = 1) AS descending
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(${names})`.execute(db);
  return new Map(r.rows.map((x) => [x.name, { columns: x.columns, descending: x.descending }]));
}

/** Every index of the migration exists and has the given direction. */
async function assertAll(db: Kysely<any>, descending: boolean, names: readonly string[] = KEPT): Promise<void> {
  const keys = await indexKeys(db, names);
  assert.equal(keys.size, names.length, 'each index of the migration exists');
  for (const [name, k] of keys) assert.equal(k.descending, descending, `${name}: ${k.columns}`);
}

/** The plan of `query` with sequential and bitmap scans off: what the index alone can do. */
async function planOf(db: Kysely<any>, query: string, parameters: readonly unknown[] = []): Promise<string> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    await sql`SET LOCAL enable_bitmapscan = off`.execute(trx);
    const r = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${query}`, [...parameters]));
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
    const names = new Set(KEPT);
    for (const query of lists) {
      const plan = await planOf(database().db, query);
      const used = /Index (?:Only )?Scan Backward using (\w+)/.exec(plan)?.[1];
      assert.ok(used !== undefined && names.has(used), `a backward scan of one of the indexes: ${query}\n${plan}`);
      assert.doesNotMatch(plan, /Sort/, `${query}\n${plan}`);
    }
  });

  test("an organization's list of every status, or of several, merges per-status backward scans, with no sort below the merge", async () => {
    const db = database().db;
    const cases = [undefined, ['pending', 'expired'], ['accepted', 'revoked', 'expired']] as const;
    for (const statuses of cases) {
      for (const direction of ['desc', 'asc'] as const) {
        const query = organizationInvitationList(
          db,
          { organizationId: 'org_x', ...(statuses ? { statuses: [...statuses] } : {}) },
          { limit: 20, offset: 40, orderBy: 'created_at', direction },
        ).compile();
        const plan = await planOf(db, query.sql, query.parameters);
        const what = `${statuses?.join('+') ?? 'every status'} ${direction}\n${plan}`;
        const merge = plan.slice(plan.indexOf('Merge Append'));
        assert.ok(plan.includes('Merge Append'), what);
        const scans = [...merge.matchAll(/(Index (?:Only )?Scan(?: Backward)?) using (\w+) on organization_invitations i_/g)];
        const ranges = statuses === undefined ? 4 : new Set(statuses.flatMap((s) => (s === 'expired' ? ['expired', 'pending'] : [s]))).size;
        assert.equal(scans.length, ranges, `one range per stored status: ${what}`);
        for (const [, kind, index] of scans) {
          assert.equal(index, 'organization_invitations_org_status_idx', what);
          assert.equal(kind!.endsWith('Backward'), direction === 'desc', what);
        }
        assert.doesNotMatch(merge, /->\s+Sort/, what);
      }
    }
  });

  test("the migrations' down() make them descending again (0006's index back), and up() ascending", async () => {
    const db = database().db;
    const all = m0005.INDEXES.map(([name]) => name);
    await m0006.down(db);
    await m0005.down(db);
    try {
      await assertAll(db, true, all);
    } finally {
      await m0005.up(db);
      await m0006.up(db);
    }
    await assertAll(db, false);
    assert.equal((await indexKeys(db, [m0006.DROPPED_INDEX])).size, 0, `${m0006.DROPPED_INDEX} is dropped again`);
  });
});
