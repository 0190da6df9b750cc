// GET /v1/users, /v1/users/count and /v1/users/{id} over HTTP, on a fresh app seeded with known users.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import type { UserJson } from '../../src/features/users/user.schemas.ts';
import { fails, ok } from './users.helpers.ts';

type Count = { object: string; total_count: number };

describe(`listing and reading users (${storeName})`, () => {
  let t: TestApp;
  // Created in this order (so newest first is the reverse).
  const seed = [
    { first_name: 'Ada', last_name: 'Lovelace', username: 'countess', external_id: 'ext-ada', emails: ['ada@example.com', 'ada@analytical.org'] },
    { first_name: 'grace', last_name: 'Hopper', username: 'amazing_grace', external_id: 'ext-grace', emails: ['grace@navy.mil'] },
    { first_name: 'Alan', last_name: 'Turing', username: null, external_id: null, emails: ['alan@bletchley.uk'] },
    { first_name: null, last_name: null, username: 'zed_only', external_id: 'ext-zed', emails: [] },
    { first_name: 'Barbara', last_name: 'Liskov', username: 'bliskov', external_id: null, emails: ['barbara@mit.edu', 'b.liskov@example.com'] },
  ];
  const ids: string[] = [];
  const byName = (name: string) => ids[seed.findIndex((s) => (s.first_name ?? s.username) === name)]!;

  before(async () => {
    t = await startTestApp();
    for (const s of seed) {
      const u = await ok(t, 'POST', '/v1/users', {
        first_name: s.first_name, last_name: s.last_name, username: s.username, external_id: s.external_id,
        email_address: s.emails.map((e) => e.toUpperCase()), skip_password_requirement: true,
      });
      ids.push(u.id);
    }
  });
  after(async () => { await t.close(); });

  const list = (qs = '') => ok<UserJson[]>(t, 'GET', `/v1/users${qs}`);
  const count = async (qs = '') => (await ok<Count>(t, 'GET', `/v1/users/count${qs}`)).total_count;

  it('lists a bare array, newest first, each user with exactly its own addresses (loaded per page)', async () => {
    const users = await list();
    assert.ok(Array.isArray(users));
    assert.deepEqual(users.map((u) => u.id), [...ids].reverse());
    for (const u of users) {
      const s = seed[ids.indexOf(u.id)]!;
      assert.deepEqual(u.email_addresses.map((e) => e.email_address), s.emails, `addresses of ${u.id}`);
      assert.equal(u.primary_email_address_id, u.email_addresses[0]?.id ?? null);
      assert.equal(u.object, 'user');
    }
  });

  it('count answers {object:"total_count", total_count}', async () => {
    assert.deepEqual(await ok<Count>(t, 'GET', '/v1/users/count'), { object: 'total_count', total_count: seed.length });
  });

  it('pages with limit and offset (default limit 10; 1..500)', async () => {
    const all = (await list()).map((u) => u.id);
    assert.deepEqual((await list('?limit=2')).map((u) => u.id), all.slice(0, 2));
    assert.deepEqual((await list('?limit=2&offset=2')).map((u) => u.id), all.slice(2, 4));
    assert.deepEqual((await list('?offset=4')).map((u) => u.id), all.slice(4));
    assert.deepEqual(await list('?offset=50'), []);
    for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'offset=-1']) {
      const meta = await fails(t, 'GET', `/v1/users?${bad}`, undefined, 422, 'form_param_value_invalid');
      assert.equal(meta.param_name, bad.split('=')[0]);
    }
    await ok(t, 'GET', '/v1/users?limit=500');
  });

  it('orders by [+|-] created_at, first_name, last_name, username, email_address; users without the value come last', async () => {
    assert.deepEqual((await list('?order_by=%2Bcreated_at')).map((u) => u.id), ids);
    assert.deepEqual((await list('?order_by=created_at')).map((u) => u.id), ids, 'no sign: ascending');
    assert.deepEqual((await list('?order_by=%2Bfirst_name')).map((u) => u.first_name), ['Ada', 'Alan', 'Barbara', 'grace', null]);
    assert.deepEqual((await list('?order_by=-first_name')).map((u) => u.first_name), ['grace', 'Barbara', 'Alan', 'Ada', null]);
    assert.deepEqual((await list('?order_by=%2Blast_name')).map((u) => u.last_name), ['Hopper', 'Liskov', 'Lovelace', 'Turing', null]);
    assert.deepEqual((await list('?order_by=%2Busername')).map((u) => u.username), ['amazing_grace', 'bliskov', 'countess', 'zed_only', null]);
    assert.deepEqual(
      (await list('?order_by=%2Bemail_address')).map((u) => u.email_addresses[0]?.email_address ?? null),
      ['ada@example.com', 'alan@bletchley.uk', 'barbara@mit.edu', 'grace@navy.mil', null],
      'by primary address',
    );
    assert.deepEqual((await list('?order_by=-updated_at&limit=1')).map((u) => u.id), [ids[ids.length - 1]]);
    await ok(t, 'GET', '/v1/users?order_by=-last_sign_in_at');
    assert.equal((await fails(t, 'GET', '/v1/users?order_by=password', undefined, 422, 'form_param_value_invalid')).param_name, 'order_by');
  });

  it('filters by email_address (canonicalised, repeated or single), and counts the same', async () => {
    assert.deepEqual((await list('?email_address=ADA@Example.com')).map((u) => u.id), [byName('Ada')]);
    assert.deepEqual((await list('?email_address=ada＠analytical.org')).map((u) => u.id), [byName('Ada')], 'full-width @');
    const two = await list('?email_address=grace@navy.mil&email_address=barbara@mit.edu&order_by=%2Bcreated_at');
    assert.deepEqual(two.map((u) => u.id), [byName('grace'), byName('Barbara')]);
    assert.equal(await count('?email_address=grace@navy.mil&email_address=barbara@mit.edu'), 2);
    assert.deepEqual(await list('?email_address=not-an-email'), [], 'an invalid address matches nothing');
    assert.deepEqual(await list('?email_address=nobody@example.com'), []);
  });

  it('filters by user_id, external_id and username (case-insensitive), combined with AND', async () => {
    assert.deepEqual((await list(`?user_id=${byName('Alan')}`)).map((u) => u.id), [byName('Alan')], 'single value');
    const both = await list(`?user_id=${byName('Alan')}&user_id=${byName('Ada')}&order_by=%2Bcreated_at`);
    assert.deepEqual(both.map((u) => u.id), [byName('Ada'), byName('Alan')]);
    assert.deepEqual((await list('?external_id=ext-zed')).map((u) => u.id), [byName('zed_only')]);
    assert.deepEqual((await list('?username=AMAZING_GRACE')).map((u) => u.id), [byName('grace')]);
    assert.deepEqual(await list(`?username=countess&user_id=${byName('Alan')}`), [], 'AND across filters');
    assert.equal(await count(`?user_id=${byName('Alan')}&user_id=${byName('Ada')}&user_id=user_missing`), 2);
  });

  it('query matches part of an address, a name, the full name, a username or an id', async () => {
    const q = async (s: string) => (await list(`?query=${encodeURIComponent(s)}&order_by=%2Bcreated_at`)).map((u) => u.id);
    assert.deepEqual(await q('ANALYTICAL'), [byName('Ada')]);
    assert.deepEqual(await q('hopp'), [byName('grace')]);
    assert.deepEqual(await q('Ada Love'), [byName('Ada')], 'first and last name together');
    assert.deepEqual(await q('zed_'), [byName('zed_only')]);
    assert.deepEqual(await q('_liskov'), [], '_ is literal, not a wildcard (it would match b.liskov and bliskov)');
    assert.deepEqual(await q('%'), [], '% is literal, not a wildcard');
    assert.deepEqual(await q(byName('Barbara')), [byName('Barbara')]);
    assert.deepEqual(await q('example.com'), [byName('Ada'), byName('Barbara')]);
    assert.equal(await count('?query=example.com'), 2);
  });

  it('filters by created_at bounds (Unix ms)', async () => {
    const row = await t.deps.db.selectFrom('users').select('created_at').where('id', '=', byName('Alan')).executeTakeFirstOrThrow();
    const at = row.created_at.getTime(); // the database keeps microseconds: Alan is a little after `at`
    const later = [byName('Alan'), byName('zed_only'), byName('Barbara')];
    const before = (await list(`?created_at_before=${at}`)).map((u) => u.id);
    assert.ok(before.length >= 1 && before.every((id) => !later.includes(id)), 'only users created before Alan');
    const after = (await list(`?created_at_after=${at - 1}&order_by=%2Bcreated_at`)).map((u) => u.id);
    assert.deepEqual(after.slice(-3), later);
    assert.equal(await count(`?created_at_after=${at - 1}&created_at_before=${at + 1}`) >= 1, true);
  });

  it('refuses a time bound outside what a Date can hold', async () => {
    for (const bad of ['created_at_before=99999999999999999', 'last_active_at_after=-1', 'created_at_after=soon']) {
      assert.equal((await fails(t, 'GET', `/v1/users?${bad}`, undefined, 422, 'form_param_value_invalid')).param_name, bad.split('=')[0]);
    }
  });

  it('filters by last_active_at and last_sign_in_at bounds', async () => {
    await t.deps.db.updateTable('users').set({ last_active_at: sql<Date>`now() - interval '1 hour'`, last_sign_in_at: sql<Date>`now() - interval '2 hours'` }).where('id', '=', byName('Ada')).execute();
    const halfHourAgo = Date.now() - 30 * 60_000;
    assert.deepEqual((await list(`?last_active_at_before=${halfHourAgo}`)).map((u) => u.id), [byName('Ada')]);
    assert.deepEqual(await list(`?last_active_at_after=${halfHourAgo}`), []);
    assert.deepEqual((await list(`?last_active_at_since=${halfHourAgo - 3_600_000}`)).map((u) => u.id), [byName('Ada')]);
    assert.deepEqual((await list(`?last_sign_in_at_after=${halfHourAgo - 3 * 3_600_000}`)).map((u) => u.id), [byName('Ada')]);
    assert.equal(await count(`?last_sign_in_at_before=${halfHourAgo}`), 1);
    const ada = (await list(`?user_id=${byName('Ada')}`))[0]!;
    assert.ok(ada.last_active_at !== null && ada.last_active_at < halfHourAgo);
  });

  it('phone_number and web3_wallet filters match nobody (no user has one); organization_id is refused', async () => {
    assert.deepEqual(await list('?phone_number=%2B15555550100'), []);
    assert.equal(await count('?web3_wallet=0xabc'), 0);
    assert.equal((await fails(t, 'GET', '/v1/users?organization_id=org_1', undefined, 422, 'form_param_value_invalid')).param_name, 'organization_id');
  });

  it('refuses unknown query parameters, and paging parameters on count', async () => {
    assert.equal((await fails(t, 'GET', '/v1/users?banana=1', undefined, 422, 'form_param_unknown')).param_name, 'banana');
    assert.equal((await fails(t, 'GET', '/v1/users/count?limit=1', undefined, 422, 'form_param_unknown')).param_name, 'limit');
  });

  it('GET /v1/users/{id} returns the user; an unknown id is 404 resource_not_found', async () => {
    const u = await ok(t, 'GET', `/v1/users/${byName('Barbara')}`);
    assert.equal(u.id, byName('Barbara'));
    assert.deepEqual(u.email_addresses.map((e) => e.email_address), ['barbara@mit.edu', 'b.liskov@example.com']);
    await fails(t, 'GET', '/v1/users/user_doesnotexist0000000000000', undefined, 404, 'resource_not_found');
  });

  it('a user reads the same alone (one statement, addresses as JSON) as in a list (users, then their addresses)', async () => {
    for (const id of ids) {
      const alone = await ok<UserJson>(t, 'GET', `/v1/users/${id}`);
      const listed = await ok<UserJson[]>(t, 'GET', `/v1/users?user_id=${id}`);
      assert.deepEqual(alone, listed[0]);
    }
    // Stored times keep microseconds; both reads cut them to the same millisecond.
    await sql`UPDATE email_addresses SET created_at = '2026-01-02 03:04:05.678999+00', updated_at = '2026-01-02 03:04:05.999999+00' WHERE user_id = ${byName('Ada')}`.execute(t.deps.db);
    const alone = await ok<UserJson>(t, 'GET', `/v1/users/${byName('Ada')}`);
    assert.deepEqual(alone, (await ok<UserJson[]>(t, 'GET', `/v1/users?user_id=${byName('Ada')}`))[0]);
    assert.equal(alone.email_addresses[0]!.created_at, Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    assert.equal(alone.email_addresses[0]!.updated_at, Date.UTC(2026, 0, 2, 3, 4, 5, 999));
  });
});
