import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { bapi, codeOf, metaOf } from '../helpers/http.ts';
import { countRows, expireInvitation, insertUserWithEmail, setInvitationStatusRaw } from '../helpers/fixtures.ts';
import { expireOverdueInvitations } from '../../src/features/invitations/invitation.repository.ts';

const DAY = 86_400_000;
let seq = 0;
const email = (p = 'inv') => `${p}${++seq}@example.com`;

describe(`application invitations API (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { TESSERA_ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com' } }); });
  after(async () => { await t.close(); });

  describe('POST /v1/invitations', () => {
    it('creates a pending invitation with the documented shape and defaults', async () => {
      const before = Date.now();
      const r = await bapi(t, 'POST', '/v1/invitations', { email_address: 'Ada.Lovelace@Example.COM', public_metadata: { plan: 'pro', nested: { a: [1, 2] } } });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'application/json');
      const inv = r.body;
      assert.equal(inv.object, 'invitation');
      assert.match(inv.id, /^inv_[0-9A-Za-z]{27}$/);
      assert.equal(inv.email_address, 'ada.lovelace@example.com');
      assert.deepEqual(inv.public_metadata, { plan: 'pro', nested: { a: [1, 2] } });
      assert.equal(inv.status, 'pending');
      assert.equal('revoked' in inv, false);
      assert.ok(Number.isInteger(inv.created_at) && inv.created_at >= before - 5000 && inv.created_at <= Date.now() + 5000, 'created_at is in ms');
      assert.equal(inv.updated_at, inv.created_at);
      assert.ok(Math.abs(inv.expires_at - inv.created_at - 30 * DAY) < 1000, 'expires in 30 days by default');
      assert.match(inv.url, new RegExp(`^${t.config.publicUrl.replace(/[.]/g, '\\.')}/v1/tickets/accept\\?ticket=tkt_inv_[A-Za-z0-9_-]{51}$`));
      // notify defaults to true: one email is queued in the same transaction.
      const outbox = await t.deps.db.selectFrom('outbox').select(['payload']).where(sql<string>`payload -> 'vars' ->> 'invitation_id'`, '=', inv.id).execute();
      assert.equal(outbox.length, 1);
    });

    it('honours expires_in_days at both bounds and refuses values outside 1..365', async () => {
      for (const days of [1, 365]) {
        const r = await bapi(t, 'POST', '/v1/invitations', { email_address: email(), expires_in_days: days });
        assert.equal(r.status, 200);
        assert.ok(Math.abs(r.body.expires_at - r.body.created_at - days * DAY) < 1000);
      }
      for (const days of [0, 366, -1, 1.5, '7']) {
        const r = await bapi(t, 'POST', '/v1/invitations', { email_address: email(), expires_in_days: days });
        assert.equal(r.status, 422, `expires_in_days=${JSON.stringify(days)}`);
        assert.equal(codeOf(r), 'form_param_value_invalid');
        assert.equal(metaOf(r)?.param_name, 'expires_in_days');
      }
    });

    it('accepts explicit nulls for the optional parameters (the SDK may send them)', async () => {
      const r = await bapi(t, 'POST', '/v1/invitations', { email_address: email(), public_metadata: null, redirect_url: null, notify: null, ignore_existing: null, expires_in_days: null, template_slug: null });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.public_metadata, {});
    });

    it('with notify:false queues no email', async () => {
      const r = await bapi(t, 'POST', '/v1/invitations', { email_address: email(), notify: false });
      assert.equal(r.status, 200);
      const rows = await t.deps.db.selectFrom('outbox').select('id').where(sql<string>`payload -> 'vars' ->> 'invitation_id'`, '=', r.body.id).execute();
      assert.equal(rows.length, 0);
    });

    it('accepts template_slug invitation and waitlist_invitation only', async () => {
      assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: email(), template_slug: 'waitlist_invitation' })).status, 200);
      const r = await bapi(t, 'POST', '/v1/invitations', { email_address: email(), template_slug: 'other' });
      assert.equal(codeOf(r), 'form_param_value_invalid');
      assert.equal(metaOf(r)?.param_name, 'template_slug');
    });

    it('requires email_address', async () => {
      const r = await bapi(t, 'POST', '/v1/invitations', { notify: false });
      assert.equal(r.status, 422);
      assert.equal(codeOf(r), 'form_param_missing');
      assert.equal(metaOf(r)?.param_name, 'email_address');
    });

    it('refuses unknown parameters with form_param_unknown', async () => {
      const r = await bapi(t, 'POST', '/v1/invitations', { email_address: email(), role: 'admin' });
      assert.equal(r.status, 422);
      assert.equal(codeOf(r), 'form_param_unknown');
      assert.equal(metaOf(r)?.param_name, 'role');
    });

    it('refuses malformed addresses with form_param_format_invalid', async () => {
      for (const bad of ['nope', 'a@b@example.com', '"a"@example.com', 'a@example.com,b@example.com', 'a @example.com', 'a@localhost']) {
        const r = await bapi(t, 'POST', '/v1/invitations', { email_address: bad });
        assert.equal(r.status, 422, bad);
        assert.equal(codeOf(r), 'form_param_format_invalid');
        assert.equal(metaOf(r)?.param_name, 'email_address');
      }
    });

    it('refuses a second pending invitation for the same address, case- and width-insensitively', async () => {
      const addr = email('dup');
      assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: addr })).status, 200);
      for (const variant of [addr, addr.toUpperCase(), addr.replace('@', '＠')]) {
        const r = await bapi(t, 'POST', '/v1/invitations', { email_address: variant });
        assert.equal(r.status, 400, variant);
        assert.equal(codeOf(r), 'duplicate_record');
        assert.deepEqual(metaOf(r)?.email_addresses, [addr]);
      }
      const again = await bapi(t, 'POST', '/v1/invitations', { email_address: addr, ignore_existing: true });
      assert.equal(again.status, 200, 'ignore_existing bypasses the duplicate check');
      const list = await bapi(t, 'GET', `/v1/invitations?query=${encodeURIComponent(addr)}&status=pending`);
      assert.equal(list.body.length, 2);
    });

    it('refuses the address of an existing user unless ignore_existing', async () => {
      const addr = email('user');
      await insertUserWithEmail(t, addr);
      const r = await bapi(t, 'POST', '/v1/invitations', { email_address: addr.toUpperCase() });
      assert.equal(r.status, 422);
      assert.equal(codeOf(r), 'form_identifier_exists');
      assert.equal(metaOf(r)?.param_name, 'email_address');
      assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: addr, ignore_existing: true })).status, 200);
    });

    it('does not count an expired invitation as a duplicate', async () => {
      const addr = email('exp');
      const first = await bapi(t, 'POST', '/v1/invitations', { email_address: addr });
      await expireInvitation(t, first.body.id);
      const second = await bapi(t, 'POST', '/v1/invitations', { email_address: addr });
      assert.equal(second.status, 200);
    });

    it('checks redirect_url against the allowed origins', async () => {
      const ok = await bapi(t, 'POST', '/v1/invitations', { email_address: email(), redirect_url: 'https://app.example.com/accept' });
      assert.equal(ok.status, 200);
      // localhost is allowed on a development (sk_test_) instance
      assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: email(), redirect_url: 'http://localhost:5173/x' })).status, 200);
      for (const bad of ['https://evil.example.net/', '//app.example.com/x', 'https://app.example.com@evil.example.net/', 'https://app.example.com.evil.example.net/', 'javascript:alert(1)', 'https:\\\\evil.example.net']) {
        const r = await bapi(t, 'POST', '/v1/invitations', { email_address: email(), redirect_url: bad });
        assert.equal(r.status, 422, bad);
        assert.equal(codeOf(r), 'form_param_value_invalid');
        assert.equal(metaOf(r)?.param_name, 'redirect_url');
      }
    });

    it('writes nothing when a create fails', async () => {
      const before = await Promise.all([countRows(t, 'invitations'), countRows(t, 'outbox'), countRows(t, 'audit_log')]);
      await bapi(t, 'POST', '/v1/invitations', { email_address: 'bad address' });
      await bapi(t, 'POST', '/v1/invitations', { email_address: email(), redirect_url: 'https://evil.example.net' });
      const after = await Promise.all([countRows(t, 'invitations'), countRows(t, 'outbox'), countRows(t, 'audit_log')]);
      assert.deepEqual(after, before);
    });
  });

  describe('POST /v1/invitations/bulk', () => {
    it('creates up to 10 invitations and returns a bare array with links', async () => {
      const items = Array.from({ length: 10 }, () => ({ email_address: email('bulk') }));
      const r = await bapi(t, 'POST', '/v1/invitations/bulk', items);
      assert.equal(r.status, 200);
      assert.ok(Array.isArray(r.body));
      assert.deepEqual(r.body.map((i: { email_address: string }) => i.email_address), items.map((i) => i.email_address));
      assert.ok(r.body.every((i: { url: string; object: string }) => i.object === 'invitation' && i.url.includes('ticket=')));
    });

    it('refuses more than 10 with bulk_size_exceeded and an empty array with a 422', async () => {
      const r = await bapi(t, 'POST', '/v1/invitations/bulk', Array.from({ length: 11 }, () => ({ email_address: email('big') })));
      assert.equal(r.status, 400);
      assert.equal(codeOf(r), 'bulk_size_exceeded');
      const empty = await bapi(t, 'POST', '/v1/invitations/bulk', []);
      assert.equal(empty.status, 422);
      const notArray = await bapi(t, 'POST', '/v1/invitations/bulk', { email_address: email() });
      assert.equal(notArray.status, 422);
    });

    it('is all-or-nothing: one bad item creates none', async () => {
      const taken = email('taken');
      await bapi(t, 'POST', '/v1/invitations', { email_address: taken });
      const userAddr = email('bulkuser');
      await insertUserWithEmail(t, userAddr);
      const n = await countRows(t, 'invitations');
      const o = await countRows(t, 'outbox');
      const cases: [unknown[], number, string][] = [
        [[{ email_address: email() }, { email_address: 'not-an-email' }], 422, 'form_param_format_invalid'],
        [[{ email_address: email() }, { email_address: taken }], 400, 'duplicate_record'],
        [[{ email_address: 'Same@example.com' }, { email_address: 'same@example.com' }], 400, 'duplicate_record'],
        [[{ email_address: email() }, { email_address: email(), bogus: 1 }], 422, 'form_param_unknown'],
        // bulk never invites an existing user, even with ignore_existing
        [[{ email_address: email() }, { email_address: userAddr, ignore_existing: true }], 422, 'form_identifier_exists'],
      ];
      for (const [items, status, code] of cases) {
        const r = await bapi(t, 'POST', '/v1/invitations/bulk', items);
        assert.equal(r.status, status, JSON.stringify(items));
        assert.equal(codeOf(r), code);
      }
      assert.equal(await countRows(t, 'invitations'), n);
      assert.equal(await countRows(t, 'outbox'), o);
    });

    it('lets an item with ignore_existing duplicate a pending invitation', async () => {
      const addr = email('bulkdup');
      await bapi(t, 'POST', '/v1/invitations', { email_address: addr });
      const r = await bapi(t, 'POST', '/v1/invitations/bulk', [{ email_address: addr, ignore_existing: true }, { email_address: email() }]);
      assert.equal(r.status, 200);
      assert.equal(r.body.length, 2);
    });
  });

  describe('GET /v1/invitations', () => {
    let fresh: TestApp;
    const ids: Record<string, string> = {};
    before(async () => {
      fresh = await startTestApp();
      for (const name of ['carol', 'alice', 'bob', 'dave', 'erin']) {
        const r = await bapi(fresh, 'POST', '/v1/invitations', { email_address: `${name}@list.example.com`, notify: false });
        ids[name] = r.body.id;
      }
      await bapi(fresh, 'POST', `/v1/invitations/${ids.bob}/revoke`);
      await setInvitationStatusRaw(fresh, ids.dave!, 'accepted');
      await expireInvitation(fresh, ids.erin!);
    });
    after(async () => { await fresh.close(); });

    const emails = (body: { email_address: string }[]) => body.map((i) => i.email_address.split('@')[0]);

    it('returns a bare array without paginated, newest first, revoked left out', async () => {
      const r = await bapi(fresh, 'GET', '/v1/invitations');
      assert.equal(r.status, 200);
      assert.ok(Array.isArray(r.body));
      assert.deepEqual(emails(r.body), ['erin', 'dave', 'alice', 'carol']);
      assert.equal(r.body.find((i: { id: string }) => i.id === ids.erin).status, 'expired');
      assert.ok(r.body.every((i: object) => !('url' in i)), 'list items carry no link: only the ticket hash is stored');
    });

    it('returns {data,total_count} with paginated=true', async () => {
      const r = await bapi(fresh, 'GET', '/v1/invitations?paginated=true&limit=2');
      assert.equal(r.body.total_count, 4);
      assert.deepEqual(emails(r.body.data), ['erin', 'dave']);
      const page2 = await bapi(fresh, 'GET', '/v1/invitations?paginated=true&limit=2&offset=2');
      assert.deepEqual(emails(page2.body.data), ['alice', 'carol']);
    });

    it('filters by status, with expiry computed at read time', async () => {
      const by = async (q: string) => emails((await bapi(fresh, 'GET', `/v1/invitations?${q}`)).body).sort();
      assert.deepEqual(await by('status=pending'), ['alice', 'carol']);
      assert.deepEqual(await by('status=expired'), ['erin']);
      assert.deepEqual(await by('status=revoked'), ['bob']);
      assert.deepEqual(await by('status=accepted'), ['dave']);
      assert.deepEqual(await by('status=pending&status=revoked'), ['alice', 'bob', 'carol']);
      const counted = await bapi(fresh, 'GET', '/v1/invitations?status=expired&paginated=true');
      assert.equal(counted.body.total_count, 1);
    });

    it('keeps total_count exact through creates, revokes, expiry, raw updates, deletes and sweeps', async () => {
      const exact = async (q: string) => (await bapi(fresh, 'GET', `/v1/invitations?${q}&limit=500`)).body.length as number;
      const counted = async (q: string) => (await bapi(fresh, 'GET', `/v1/invitations?${q}&paginated=true&limit=1`)).body.total_count as number;
      const check = async () => {
        for (const q of ['x=1', 'status=pending', 'status=expired', 'status=accepted', 'status=revoked', 'status=pending&status=expired']) {
          assert.equal(await counted(q.replace('x=1', '')), await exact(q.replace('x=1', '')), q);
        }
      };
      await check();
      const more = await bapi(fresh, 'POST', '/v1/invitations/bulk', Array.from({ length: 6 }, (_, i) => ({ email_address: `count${i}@list.example.com`, notify: false })));
      const made: string[] = more.body.map((i: { id: string }) => i.id);
      await bapi(fresh, 'POST', `/v1/invitations/${made[0]}/revoke`);
      await expireInvitation(fresh, made[1]!);
      await expireInvitation(fresh, made[2]!);
      await setInvitationStatusRaw(fresh, made[3]!, 'accepted');
      await bapi(fresh, 'DELETE', `/v1/invitations/${made[4]}`);
      await check();
      const swept = await expireOverdueInvitations(fresh.deps.db, 100);
      assert.equal(swept, 3, 'erin and the two just expired');
      await check();
      assert.equal(await counted('status=expired'), 3);
      // Clean up so the other tests of this block see their five invitations only.
      for (const id of made.filter((_, i) => i !== 4)) await fresh.deps.db.deleteFrom('invitations').where('id', '=', id).execute();
      await fresh.deps.db.updateTable('invitations').set({ status: 'pending' }).where('id', '=', ids.erin!).execute();
      await check();
    });

    it('searches by part of the address or by id', async () => {
      assert.deepEqual(emails((await bapi(fresh, 'GET', '/v1/invitations?query=ALI')).body), ['alice']);
      assert.deepEqual(emails((await bapi(fresh, 'GET', `/v1/invitations?query=${ids.carol}`)).body), ['carol']);
      assert.deepEqual((await bapi(fresh, 'GET', '/v1/invitations?query=%25')).body, [], 'LIKE wildcards are literal');
    });

    it('orders by email_address and expires_at in both directions', async () => {
      assert.deepEqual(emails((await bapi(fresh, 'GET', '/v1/invitations?order_by=email_address')).body), ['alice', 'carol', 'dave', 'erin']);
      assert.deepEqual(emails((await bapi(fresh, 'GET', '/v1/invitations?order_by=-email_address')).body), ['erin', 'dave', 'carol', 'alice']);
      assert.deepEqual(emails((await bapi(fresh, 'GET', '/v1/invitations?order_by=%2Bexpires_at')).body)[0], 'erin');
    });

    it('validates limit, offset, status and order_by', async () => {
      for (const q of ['limit=0', 'limit=501', 'limit=abc', 'offset=-1', 'status=open', 'order_by=name', 'paginated=maybe', 'unknown=1']) {
        const r = await bapi(fresh, 'GET', `/v1/invitations?${q}`);
        assert.equal(r.status, 422, q);
        assert.match(codeOf(r)!, /^form_param_(value_invalid|unknown)$/);
      }
      assert.equal((await bapi(fresh, 'GET', '/v1/invitations?limit=500')).status, 200);
    });
  });

  describe('POST /v1/invitations/{id}/revoke', () => {
    it('revokes a pending invitation, then refuses to revoke it again', async () => {
      const created = await bapi(t, 'POST', '/v1/invitations', { email_address: email('rev') });
      // @clerk/backend sends no body but still a JSON content type
      const res = await t.app.inject({ method: 'POST', url: `/v1/invitations/${created.body.id}/revoke`, headers: t.auth });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.status, 'revoked');
      assert.equal(body.revoked, true);
      assert.equal('url' in body, false);
      assert.ok(body.updated_at >= body.created_at);
      const again = await bapi(t, 'POST', `/v1/invitations/${created.body.id}/revoke`);
      assert.equal(again.status, 400);
      assert.equal(codeOf(again), 'invitation_already_revoked');
    });

    it('answers 404 resource_not_found for an unknown id', async () => {
      const r = await bapi(t, 'POST', '/v1/invitations/inv_000000000000000000000000000/revoke');
      assert.equal(r.status, 404);
      assert.equal(codeOf(r), 'resource_not_found');
    });

    it('refuses to revoke an accepted invitation and lets an expired one be revoked', async () => {
      const a = await bapi(t, 'POST', '/v1/invitations', { email_address: email('acc') });
      await setInvitationStatusRaw(t, a.body.id, 'accepted');
      const r = await bapi(t, 'POST', `/v1/invitations/${a.body.id}/revoke`);
      assert.equal(r.status, 400);
      assert.equal(codeOf(r), 'invitation_already_accepted');
      const e = await bapi(t, 'POST', '/v1/invitations', { email_address: email('expr') });
      await expireInvitation(t, e.body.id);
      assert.equal((await bapi(t, 'POST', `/v1/invitations/${e.body.id}/revoke`)).body.status, 'revoked');
    });
  });

  describe('DELETE /v1/invitations/{id}', () => {
    it('deletes the invitation and its queued email', async () => {
      const c = await bapi(t, 'POST', '/v1/invitations', { email_address: email('del') });
      const r = await bapi(t, 'DELETE', `/v1/invitations/${c.body.id}`);
      assert.deepEqual(r.body, { object: 'invitation', id: c.body.id, deleted: true });
      const left = await t.deps.db.selectFrom('outbox').select('id').where(sql<string>`payload -> 'vars' ->> 'invitation_id'`, '=', c.body.id).execute();
      assert.equal(left.length, 0);
      assert.equal(codeOf(await bapi(t, 'DELETE', `/v1/invitations/${c.body.id}`)), 'resource_not_found');
    });
  });

  describe('concurrency', () => {
    it('20 parallel creates for one address: exactly one succeeds, the rest are duplicate_record', async () => {
      const addr = email('race');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(`${t.url}/v1/invitations`, { method: 'POST', headers: t.auth, body: JSON.stringify({ email_address: i % 2 ? addr : addr.toUpperCase() }) })
            .then(async (r) => ({ status: r.status, body: (await r.json()) as { errors?: { code: string }[] } })),
        ),
      );
      const ok = results.filter((r) => r.status === 200);
      const dup = results.filter((r) => r.status === 400 && r.body.errors?.[0]?.code === 'duplicate_record');
      assert.equal(ok.length, 1, JSON.stringify(results.map((r) => r.status)));
      assert.equal(dup.length, 19);
      const rows = await t.deps.db.selectFrom('invitations').select('id').where('email', '=', addr).execute();
      assert.equal(rows.length, 1);
    });
  });
});
