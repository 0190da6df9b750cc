// PATCH /v1/users/{id}, PATCH|PUT /v1/users/{id}/metadata and DELETE /v1/users/{id} over HTTP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import argon2 from 'argon2';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { deepMergeMetadata } from '../../src/features/users/user.service.ts';
import { call, fails, ok, PASSWORD, seenBodies, uniqueEmail } from './users.helpers.ts';

const MISSING = 'user_0000000000000000000000missing';

describe(`changing and deleting users (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  const newUser = (extra: Record<string, unknown> = {}) =>
    ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail('w')], password: PASSWORD, ...extra });

  describe('PATCH /v1/users/{id}/metadata (deep merge)', () => {
    it('merges nested objects, removes keys set to null, replaces arrays and scalars, keeps the rest', async () => {
      const u = await newUser({
        public_metadata: { plan: 'pro', limits: { seats: 5, storage: { gb: 10, tier: 'a' } }, tags: ['x', 'y'], drop: 1 },
        private_metadata: { crm: 'keep' },
        unsafe_metadata: { theme: 'dark' },
      });
      const m = await ok(t, 'PATCH', `/v1/users/${u.id}/metadata`, {
        public_metadata: { limits: { seats: 9, storage: { tier: null, region: 'eu' } }, tags: ['z'], drop: null, added: { deep: { ok: true, gone: null } } },
        unsafe_metadata: { theme: null, lang: 'fr' },
      });
      assert.deepEqual(m.public_metadata, { plan: 'pro', limits: { seats: 9, storage: { gb: 10, region: 'eu' } }, tags: ['z'], added: { deep: { ok: true } } });
      assert.deepEqual(m.private_metadata, { crm: 'keep' }, 'an omitted object is untouched');
      assert.deepEqual(m.unsafe_metadata, { lang: 'fr' });
      assert.ok(m.updated_at >= u.updated_at);
      // It is stored, not just answered.
      assert.deepEqual((await ok(t, 'GET', `/v1/users/${u.id}`)).public_metadata, m.public_metadata);
      const audit = await t.deps.db.selectFrom('audit_log').select('action').where('target', '=', u.id).orderBy('id').execute();
      assert.deepEqual(audit.map((a) => a.action), ['user.created', 'user.metadata_updated']);
    });

    it('a top-level null clears that object; an empty body changes nothing', async () => {
      const u = await newUser({ private_metadata: { a: 1 }, public_metadata: { b: 2 } });
      const m = await ok(t, 'PATCH', `/v1/users/${u.id}/metadata`, { private_metadata: null });
      assert.deepEqual(m.private_metadata, {});
      assert.deepEqual(m.public_metadata, { b: 2 });
      const same = await ok(t, 'PATCH', `/v1/users/${u.id}/metadata`, {});
      assert.deepEqual(same.public_metadata, { b: 2 });
      assert.equal(same.updated_at, m.updated_at);
    });

    it('keeps a "__proto__" key as data', () => {
      const merged = deepMergeMetadata({}, JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>);
      assert.equal(Object.getPrototypeOf(merged), Object.prototype);
      assert.deepEqual(JSON.parse(JSON.stringify(merged)), JSON.parse('{"__proto__":{"polluted":true},"a":1}'));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('10 concurrent merges of different keys all land (read and write under FOR UPDATE)', async () => {
      const u = await newUser();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          fetch(`${t.url}/v1/users/${u.id}/metadata`, { method: 'PATCH', headers: t.auth, body: JSON.stringify({ public_metadata: { counters: { [`k${i}`]: i } } }) }),
        ),
      );
      assert.deepEqual(results.map((r) => r.status), Array(10).fill(200));
      const final = await ok(t, 'GET', `/v1/users/${u.id}`);
      assert.deepEqual(final.public_metadata, { counters: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])) });
    });

    it('unknown user → 404; unknown key → form_param_unknown; a non-object → form_param_value_invalid', async () => {
      await fails(t, 'PATCH', `/v1/users/${MISSING}/metadata`, { public_metadata: { a: 1 } }, 404, 'resource_not_found');
      const u = await newUser();
      assert.equal((await fails(t, 'PATCH', `/v1/users/${u.id}/metadata`, { metadata: { a: 1 } }, 422, 'form_param_unknown')).param_name, 'metadata');
      assert.equal((await fails(t, 'PATCH', `/v1/users/${u.id}/metadata`, { public_metadata: [1, 2] }, 422, 'form_param_value_invalid')).param_name, 'public_metadata');
    });
  });

  describe('PUT /v1/users/{id}/metadata (replace)', () => {
    it('replaces each given object in full, keeps omitted ones, and stores {} for null', async () => {
      const u = await newUser({ public_metadata: { old: 1, nested: { a: 1 } }, private_metadata: { keep: true }, unsafe_metadata: { u: 1 } });
      const m = await ok(t, 'PUT', `/v1/users/${u.id}/metadata`, { public_metadata: { nested: { b: 2 } }, unsafe_metadata: null });
      assert.deepEqual(m.public_metadata, { nested: { b: 2 } });
      assert.deepEqual(m.private_metadata, { keep: true });
      assert.deepEqual(m.unsafe_metadata, {});
      assert.deepEqual((await ok(t, 'GET', `/v1/users/${u.id}`)).public_metadata, { nested: { b: 2 } });
      await fails(t, 'PUT', `/v1/users/${MISSING}/metadata`, { public_metadata: {} }, 404, 'resource_not_found');
    });
  });

  describe('PATCH /v1/users/{id}', () => {
    it('changes only the given fields', async () => {
      const u = await newUser({ first_name: 'Old', last_name: 'Name', locale: 'en', public_metadata: { p: 1 } });
      const m = await ok(t, 'PATCH', `/v1/users/${u.id}`, { first_name: 'New', locale: 'fr-FR', delete_self_enabled: false, create_organizations_limit: 2 });
      assert.equal(m.first_name, 'New');
      assert.equal(m.last_name, 'Name');
      assert.equal(m.locale, 'fr-FR');
      assert.equal(m.delete_self_enabled, false);
      assert.equal(m.create_organizations_limit, 2);
      assert.deepEqual(m.public_metadata, { p: 1 });
      const cleared = await ok(t, 'PATCH', `/v1/users/${u.id}`, { last_name: null });
      assert.equal(cleared.last_name, null);
      assert.equal(cleared.first_name, 'New');
    });

    it('username: lowercased, unique against other users, removable only while an address remains', async () => {
      const a = await newUser({ username: `Alpha_${process.pid}` });
      const b = await newUser();
      assert.equal((await ok(t, 'PATCH', `/v1/users/${a.id}`, { username: `ALPHA_${process.pid}` })).username, `alpha_${process.pid}`, 'its own name is not "taken"');
      const meta = await fails(t, 'PATCH', `/v1/users/${b.id}`, { username: `ALPHA_${process.pid}` }, 422, 'form_identifier_exists');
      assert.equal(meta.param_name, 'username');
      await fails(t, 'PATCH', `/v1/users/${b.id}`, { username: 'no' }, 422, 'form_username_invalid_length');
      assert.equal((await ok(t, 'PATCH', `/v1/users/${a.id}`, { username: null })).username, null);
      const onlyName = await ok(t, 'POST', '/v1/users', { username: `solo_${process.pid}`, skip_password_requirement: true });
      assert.equal((await fails(t, 'PATCH', `/v1/users/${onlyName.id}`, { username: null }, 422, 'form_param_value_invalid')).param_name, 'username');
    });

    it('external_id stays unique; null removes it', async () => {
      const ext = `ext-${process.pid}-${Date.now()}`;
      const a = await newUser({ external_id: ext });
      const b = await newUser();
      assert.equal((await fails(t, 'PATCH', `/v1/users/${b.id}`, { external_id: ext }, 422, 'form_identifier_exists')).param_name, 'external_id');
      assert.equal((await ok(t, 'PATCH', `/v1/users/${a.id}`, { external_id: null })).external_id, null);
      assert.equal((await ok(t, 'PATCH', `/v1/users/${b.id}`, { external_id: ext })).external_id, ext);
    });

    it('a new password is re-hashed with argon2id and the old one stops verifying', async () => {
      const u = await newUser();
      const digest = async () => (await t.deps.db.selectFrom('users').select('password_digest').where('id', '=', u.id).executeTakeFirstOrThrow()).password_digest!;
      const old = await digest();
      const m = await ok(t, 'PATCH', `/v1/users/${u.id}`, { password: 'a brand new secret' });
      assert.equal(m.password_enabled, true);
      const fresh = await digest();
      assert.notEqual(fresh, old);
      assert.equal(await argon2.verify(fresh, 'a brand new secret'), true);
      assert.equal(await argon2.verify(fresh, PASSWORD), false);
      assert.equal((await fails(t, 'PATCH', `/v1/users/${u.id}`, { password: 'short' }, 422, 'form_password_length_too_short')).param_name, 'password');
    });

    it('primary_email_address_id must be a verified address of this user', async () => {
      const u = await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail(), uniqueEmail(), uniqueEmail()], email_address_identification_status: ['verified', 'verified', 'reserved'], password: PASSWORD });
      const other = await newUser();
      const second = u.email_addresses[1]!.id;
      assert.equal((await ok(t, 'PATCH', `/v1/users/${u.id}`, { primary_email_address_id: second })).primary_email_address_id, second);
      for (const bad of [other.email_addresses[0]!.id, u.email_addresses[2]!.id, 'idn_nope']) {
        assert.equal((await fails(t, 'PATCH', `/v1/users/${u.id}`, { primary_email_address_id: bad }, 422, 'form_param_value_invalid')).param_name, 'primary_email_address_id');
      }
    });

    it('metadata sent here (API versions before 2026-05-12) replaces the given objects', async () => {
      const u = await newUser({ public_metadata: { a: 1, b: 2 }, private_metadata: { keep: 1 } });
      const m = await ok(t, 'PATCH', `/v1/users/${u.id}`, { first_name: 'Meta', public_metadata: { c: 3 } });
      assert.equal(m.first_name, 'Meta');
      assert.deepEqual(m.public_metadata, { c: 3 });
      assert.deepEqual(m.private_metadata, { keep: 1 });
    });

    it('refuses unsupported keys with a value, unknown keys, and unknown users', async () => {
      const u = await newUser();
      for (const [key, value] of [['primary_phone_number_id', 'idn_x'], ['totp_secret', 'JBSWY3DPEHPK3PXP'], ['profile_image_id', 'img_1'], ['notify_primary_email_address_changed', true]] as const) {
        assert.equal((await fails(t, 'PATCH', `/v1/users/${u.id}`, { [key]: value }, 422, 'form_param_value_invalid')).param_name, key);
      }
      assert.equal((await fails(t, 'PATCH', `/v1/users/${u.id}`, { email_address: ['x@example.com'] }, 422, 'form_param_unknown')).param_name, 'email_address');
      await fails(t, 'PATCH', `/v1/users/${MISSING}`, { first_name: 'X' }, 404, 'resource_not_found');
    });
  });

  describe('DELETE /v1/users/{id}', () => {
    it('deletes the user and its addresses (which become free again); a second delete is 404', async () => {
      const email = uniqueEmail('del');
      const u = await ok(t, 'POST', '/v1/users', { email_address: [email, uniqueEmail('del2')], password: PASSWORD });
      // The SDK sends Content-Type: application/json with no body on DELETE.
      const res = await t.app.inject({ method: 'DELETE', url: `/v1/users/${u.id}`, headers: t.auth });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.deepEqual(res.json(), { object: 'user', id: u.id, deleted: true });
      const left = await t.deps.db.selectFrom('email_addresses').select('id').where('user_id', '=', u.id).execute();
      assert.deepEqual(left, []);
      await fails(t, 'GET', `/v1/users/${u.id}`, undefined, 404, 'resource_not_found');
      await fails(t, 'DELETE', `/v1/users/${u.id}`, undefined, 404, 'resource_not_found');
      const again = await ok(t, 'POST', '/v1/users', { email_address: [email], password: PASSWORD });
      assert.notEqual(again.id, u.id);
      const audit = await t.deps.db.selectFrom('audit_log').select('action').where('target', '=', u.id).orderBy('id').execute();
      assert.deepEqual(audit.map((a) => a.action), ['user.created', 'user.deleted']);
    });
  });

  it('no response of this suite carried a password digest', async () => {
    assert.ok((await call(t, 'GET', '/v1/users?limit=500')).status === 200);
    for (const { status, raw } of seenBodies) {
      assert.ok(!raw.includes('$argon2'), raw);
      if (status === 200) assert.ok(!raw.includes('password_digest') && !raw.includes('password_hasher'), raw);
    }
  });
});
