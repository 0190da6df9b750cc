// The sign-up allowlist over HTTP: list (bare array and paginated), create (email addresses and
// `*@domain` wildcards, canonicalised), delete, every error code (asserted by code, not text),
// and the audit rows the writes leave.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { bapi, codeOf } from '../helpers/http.ts';
import type { AllowlistIdentifierJson } from '../../src/features/allowlist/allowlist.schemas.ts';
import { allow, fails, ok, unique } from './allowlist.fixtures.ts';

const URL = '/v1/allowlist_identifiers';

describe(`allowlist identifiers over HTTP (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  const auditOf = (target: string) =>
    t.deps.db.selectFrom('audit_log').select(['actor', 'action', 'data']).where('target', '=', target).orderBy('id').execute();

  describe('create', () => {
    it('adds an email address, stored canonical, as a Clerk AllowlistIdentifier', async () => {
      const local = unique('alice');
      const before = Date.now();
      const created = await allow(t, `${local.toUpperCase()}@Example.COM`);
      assert.deepEqual(Object.keys(created).sort(), ['created_at', 'id', 'identifier', 'identifier_type', 'instance_id', 'invitation_id', 'object', 'updated_at']);
      assert.equal(created.object, 'allowlist_identifier');
      assert.match(created.id, /^alid_[0-9A-Za-z]{27}$/);
      assert.equal(created.identifier, `${local}@example.com`);
      assert.equal(created.identifier_type, 'email_address');
      assert.equal(created.instance_id, t.deps.instance.id);
      assert.match(created.instance_id, /^ins_/);
      assert.equal(created.invitation_id, null);
      assert.equal(typeof created.created_at, 'number');
      assert.ok(created.created_at >= before - 5_000 && created.created_at <= Date.now() + 5_000, 'created_at is Unix milliseconds');
      assert.equal(created.updated_at, created.created_at);
    });

    it('adds a *@domain wildcard: the domain lowercased (NFKC), typed email_address on the wire and "domain" in the table', async () => {
      const domain = `${unique('acme')}.example.org`;
      const created = await allow(t, `*@${domain.toUpperCase()}`);
      assert.equal(created.identifier, `*@${domain}`);
      assert.equal(created.identifier_type, 'email_address');
      const row = await t.deps.db.selectFrom('allowlist_identifiers').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      assert.equal(row.identifier_type, 'domain');
      // A full-width "＊＠" is the same wildcard, not an address with the local part "*".
      const wide = await allow(t, `＊＠${unique('wide')}.example.org`);
      assert.match(wide.identifier, /^\*@wide-/);
      const wideRow = await t.deps.db.selectFrom('allowlist_identifiers').select('identifier_type').where('id', '=', wide.id).executeTakeFirstOrThrow();
      assert.equal(wideRow.identifier_type, 'domain');
    });

    it('writes one audit row per create, naming the identifier', async () => {
      const created = await allow(t, `${unique('audited')}@example.com`);
      assert.deepEqual(await auditOf(created.id), [
        { actor: 'backend_api', action: 'allowlist_identifier.created', data: { identifier: created.identifier, identifier_type: 'email_address' } },
      ]);
    });

    it('refuses anything but an email address or *@domain: 422 form_param_format_invalid (param identifier)', async () => {
      for (const identifier of [
        '', 'not-an-email', 'example.com', '@example.com', 'a@b@example.com', 'alice@localhost', '+15555555555',
        '0x52908400098527886E0F7030069857D2E4169EE7', '*', '*@', '*@localhost', '*@-bad.example.com', '*@exa mple.com',
        '*@*.example.com', '*@example.123', '*@@example.com', '**@example.com x', '*@example..com', '* @example.com',
      ]) {
        const meta = await fails(t, 'POST', URL, { identifier }, 422, 'form_param_format_invalid');
        assert.equal(meta.param_name, 'identifier', identifier);
      }
    });

    it('refuses an identifier already listed, however it is spelled: 400 duplicate_record (param identifier)', async () => {
      const local = unique('dup');
      await allow(t, `${local}@example.com`);
      const meta = await fails(t, 'POST', URL, { identifier: `${local.toUpperCase()}@EXAMPLE.com` }, 400, 'duplicate_record');
      assert.equal(meta.param_name, 'identifier');
      const domain = `${unique('dupdomain')}.example.com`;
      await allow(t, `*@${domain}`);
      await fails(t, 'POST', URL, { identifier: `*@${domain.toUpperCase()}` }, 400, 'duplicate_record');
      const rows = await t.deps.db.selectFrom('allowlist_identifiers').select('id').where('identifier', 'in', [`${local}@example.com`, `*@${domain}`]).execute();
      assert.equal(rows.length, 2);
    });

    it('concurrent creates of one identifier: exactly one succeeds, the rest are 400 duplicate_record (never a 500)', async () => {
      const identifier = `${unique('race')}@example.com`;
      const results = await Promise.all(Array.from({ length: 16 }, () => bapi(t, 'POST', URL, { identifier })));
      assert.equal(results.filter((r) => r.status === 200).length, 1, JSON.stringify(results.map((r) => [r.status, codeOf(r)])));
      for (const r of results.filter((x) => x.status !== 200)) {
        assert.equal(r.status, 400);
        assert.equal(codeOf(r), 'duplicate_record');
      }
    });

    it('a create that passes the pre-check but loses on the unique index is 400 duplicate_record, not a 500', {
      skip: storeName === 'postgres' ? false : 'needs concurrent connections (PostgreSQL)',
    }, async () => {
      const identifier = `${unique('lost')}@example.com`;
      // An uncommitted row with the same identifier: the request's pre-check cannot see it, its
      // INSERT waits on the unique index, and fails once this transaction commits.
      const { request } = await t.deps.db.transaction().execute(async (trx) => {
        await trx.insertInto('allowlist_identifiers').values({ id: `alid_${unique('held')}`, identifier, identifier_type: 'email_address' }).execute();
        const { rows: [self] } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        const request = bapi(t, 'POST', URL, { identifier });
        const deadline = Date.now() + 10_000;
        for (;;) {
          // Exactly this transaction's waiters, whatever else runs on the server.
          const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${self!.pid}::int = ANY (pg_blocking_pids(pid))`.execute(t.deps.db);
          if ((rows[0]?.n ?? 0) > 0) break;
          assert.ok(Date.now() < deadline, 'the request never waited on the unique index');
          await new Promise((r) => setTimeout(r, 20));
        }
        // Wrapped: returning the promise itself would make the commit wait for the request.
        return { request };
      });
      const r = await request;
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(codeOf(r), 'duplicate_record');
    });

    it('notify: false is accepted; true with an email address is 422 form_param_value_invalid (Tessera sends no invitation); true with a wildcard is accepted', async () => {
      const quiet = await allow(t, `${unique('quiet')}@example.com`, false);
      assert.equal(quiet.invitation_id, null);
      const email = `${unique('loud')}@example.com`;
      const meta = await fails(t, 'POST', URL, { identifier: email, notify: true }, 422, 'form_param_value_invalid');
      assert.equal(meta.param_name, 'notify');
      const none = await t.deps.db.selectFrom('allowlist_identifiers').select('id').where('identifier', '=', email).execute();
      assert.equal(none.length, 0, 'a refused notify writes nothing');
      const wildcard = await allow(t, `*@${unique('notify')}.example.com`, true);
      assert.equal(wildcard.invitation_id, null);
    });

    it('validates the body: missing identifier, unknown keys and wrong types are 422', async () => {
      assert.equal((await fails(t, 'POST', URL, {}, 422, 'form_param_missing')).param_name, 'identifier');
      assert.equal((await fails(t, 'POST', URL, { notify: false }, 422, 'form_param_missing')).param_name, 'identifier');
      assert.equal((await fails(t, 'POST', URL, { identifier: 'a@example.com', identifier_type: 'email_address' }, 422, 'form_param_unknown')).param_name, 'identifier_type');
      await fails(t, 'POST', URL, { identifier: 42 }, 422, 'form_param_value_invalid');
      await fails(t, 'POST', URL, { identifier: 'a@example.com', notify: 'yes' }, 422, 'form_param_value_invalid');
      await fails(t, 'POST', URL, { identifier: `${'a'.repeat(310)}@example.com` }, 422, 'form_param_value_invalid');
    });
  });

  describe('list', () => {
    it('is a bare array, newest first; with paginated=true it is {data, total_count}; limit and offset page it', async () => {
      const fresh = await startTestApp();
      try {
        assert.deepEqual(await ok(fresh, 'GET', URL), []);
        assert.deepEqual(await ok(fresh, 'GET', `${URL}?paginated=true`), { data: [], total_count: 0 });
        const made: AllowlistIdentifierJson[] = [];
        for (const identifier of ['one@example.com', '*@two.example.com', 'three@example.com']) made.push(await allow(fresh, identifier));
        const newestFirst = [...made].reverse();

        const bare = await ok<AllowlistIdentifierJson[]>(fresh, 'GET', URL);
        assert.ok(Array.isArray(bare));
        assert.deepEqual(bare, newestFirst);
        assert.deepEqual(await ok(fresh, 'GET', `${URL}?paginated=false`), newestFirst);

        const page = await ok<{ data: AllowlistIdentifierJson[]; total_count: number }>(fresh, 'GET', `${URL}?paginated=true`);
        assert.deepEqual(page, { data: newestFirst, total_count: 3 });
        const second = await ok<{ data: AllowlistIdentifierJson[]; total_count: number }>(fresh, 'GET', `${URL}?paginated=true&limit=1&offset=1`);
        assert.deepEqual(second, { data: [newestFirst[1]], total_count: 3 });
        assert.deepEqual(await ok(fresh, 'GET', `${URL}?limit=2`), newestFirst.slice(0, 2));
        assert.deepEqual(await ok(fresh, 'GET', `${URL}?offset=2`), newestFirst.slice(2));
      } finally {
        await fresh.close();
      }
    });

    it('validates the query: unknown parameters and out-of-range limits are 422', async () => {
      assert.equal((await fails(t, 'GET', `${URL}?order_by=-created_at`, undefined, 422, 'form_param_unknown')).param_name, 'order_by');
      await fails(t, 'GET', `${URL}?limit=0`, undefined, 422, 'form_param_value_invalid');
      await fails(t, 'GET', `${URL}?limit=501`, undefined, 422, 'form_param_value_invalid');
      await fails(t, 'GET', `${URL}?offset=-1`, undefined, 422, 'form_param_value_invalid');
      await fails(t, 'GET', `${URL}?paginated=maybe`, undefined, 422, 'form_param_value_invalid');
    });
  });

  describe('delete', () => {
    it('returns Clerk\'s deleted object, removes the row, writes an audit row; a second delete is 404', async () => {
      const created = await allow(t, `${unique('gone')}@example.com`);
      const deleted = await ok(t, 'DELETE', `${URL}/${created.id}`);
      assert.deepEqual(deleted, { object: 'allowlist_identifier', id: created.id, deleted: true });
      const listed = await ok<AllowlistIdentifierJson[]>(t, 'GET', URL);
      assert.ok(!listed.some((a) => a.id === created.id));
      assert.deepEqual((await auditOf(created.id)).map((a) => [a.action, a.data]), [
        ['allowlist_identifier.created', { identifier: created.identifier, identifier_type: 'email_address' }],
        ['allowlist_identifier.deleted', { identifier: created.identifier, identifier_type: 'email_address' }],
      ]);
      await fails(t, 'DELETE', `${URL}/${created.id}`, undefined, 404, 'resource_not_found');
      // The identifier can be listed again once removed.
      await allow(t, created.identifier);
    });

    it('an unknown id is 404 resource_not_found', async () => {
      await fails(t, 'DELETE', `${URL}/alid_00000000000000000000000000`, undefined, 404, 'resource_not_found');
      await fails(t, 'DELETE', `${URL}/not-an-id`, undefined, 404, 'resource_not_found');
    });
  });

  describe('authentication', () => {
    it('every route needs the secret key (401)', async () => {
      for (const [method, url] of [['GET', URL], ['POST', URL], ['DELETE', `${URL}/alid_x`]] as const) {
        const none = await t.app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: '{"identifier":"a@example.com"}' });
        assert.equal(none.statusCode, 401);
        assert.equal(none.json().errors[0].code, 'authentication_invalid');
        const wrong = await t.app.inject({ method, url, headers: { authorization: 'Bearer sk_test_wrong', 'content-type': 'application/json' }, payload: '{}' });
        assert.equal(wrong.statusCode, 401);
        assert.equal(wrong.json().errors[0].code, 'clerk_key_invalid');
      }
    });
  });
});
