// The Backend API's email addresses (POST /v1/email_addresses, GET/PATCH/DELETE
// /v1/email_addresses/{id}) over HTTP, every rule and error code, the uniqueness race, and the same
// calls through the unmodified @clerk/backend client.
process.env.CLERK_TELEMETRY_DISABLED = '1';

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient } from '@clerk/backend';
import { startTestApp, storeName, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { clerkError } from '../helpers/clerk-sdk.ts';
import type { EmailAddressJson, UserJson } from '../../src/features/users/user.schemas.ts';
import { call, fails, ok, uniqueEmail } from './users.helpers.ts';

describe(`email addresses, Backend API (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  const newUser = (body: Record<string, unknown> = {}) => ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail('owner')], skip_password_requirement: true, ...body });
  const getUser = (id: string) => ok(t, 'GET', `/v1/users/${id}`);
  const add = (body: Record<string, unknown>) => ok<EmailAddressJson>(t, 'POST', '/v1/email_addresses', body);
  const auditOf = async (userId: string) =>
    (await t.deps.db.selectFrom('audit_log').select('action').where('target', '=', userId).orderBy('id').execute()).map((r) => r.action);

  it('adds an unverified address by default (admin strategy), leaves the primary as it was, and the user shows it', async () => {
    const u = await newUser();
    const email = uniqueEmail('second');
    const e = await add({ user_id: u.id, email_address: email.toUpperCase() });
    assert.equal(e.object, 'email_address');
    assert.match(e.id, /^idn_[0-9A-Za-z]{27}$/);
    assert.equal(e.email_address, email, 'stored canonical');
    assert.equal(e.reserved, false);
    assert.deepEqual(e.linked_to, []);
    assert.equal(e.verification?.status, 'unverified');
    assert.equal(e.verification?.strategy, 'admin');
    assert.ok(Number.isInteger(e.created_at) && Number.isInteger(e.updated_at));
    const after = await getUser(u.id);
    assert.equal(after.primary_email_address_id, u.primary_email_address_id);
    assert.deepEqual(after.email_addresses.map((x) => x.id), [u.email_addresses[0]!.id, e.id]);
    assert.deepEqual(await ok<EmailAddressJson>(t, 'GET', `/v1/email_addresses/${e.id}`), e);
    assert.deepEqual(await auditOf(u.id), ['user.created', 'email_address.created']);
  });

  it('verified: true creates it verified; primary: true makes it primary', async () => {
    const u = await newUser();
    const e = await add({ user_id: u.id, email_address: uniqueEmail('primary'), verified: true, primary: true });
    assert.equal(e.verification?.status, 'verified');
    assert.equal((await getUser(u.id)).primary_email_address_id, e.id);
  });

  it("a user's first address becomes primary even when not asked", async () => {
    const u = await newUser({ email_address: [], username: `only_${process.pid}_${Date.now() % 100000}` });
    assert.equal(u.primary_email_address_id, null);
    const e = await add({ user_id: u.id, email_address: uniqueEmail('first'), verified: true });
    assert.equal((await getUser(u.id)).primary_email_address_id, e.id);
  });

  it('refuses: bad address, unknown user, unverified primary, a taken address (its own or another user\'s), unknown keys', async () => {
    const u = await newUser();
    const other = await newUser();
    const before = await getUser(u.id);
    assert.equal((await fails(t, 'POST', '/v1/email_addresses', { user_id: u.id, email_address: 'not-an-address' }, 422, 'form_param_format_invalid')).param_name, 'email_address');
    await fails(t, 'POST', '/v1/email_addresses', { user_id: 'user_nope', email_address: uniqueEmail('nobody') }, 404, 'resource_not_found');
    assert.equal((await fails(t, 'POST', '/v1/email_addresses', { user_id: u.id, email_address: uniqueEmail('p'), primary: true }, 422, 'form_param_value_invalid')).param_name, 'primary');
    const taken = other.email_addresses[0]!.email_address;
    const meta = await fails(t, 'POST', '/v1/email_addresses', { user_id: u.id, email_address: taken.toUpperCase() }, 422, 'form_identifier_exists');
    assert.equal(meta.param_name, 'email_address');
    assert.deepEqual(meta.email_addresses, [taken]);
    await fails(t, 'POST', '/v1/email_addresses', { user_id: u.id, email_address: u.email_addresses[0]!.email_address }, 422, 'form_identifier_exists');
    await fails(t, 'POST', '/v1/email_addresses', { email_address: uniqueEmail('x') }, 422, 'form_param_missing');
    await fails(t, 'POST', '/v1/email_addresses', { user_id: u.id, email_address: uniqueEmail('x'), extra: 1 }, 422, 'form_param_unknown');
    assert.deepEqual(await getUser(u.id), before, 'nothing was written');
  });

  it('the same new address for six users at once: exactly one gets it, the others 422 form_identifier_exists', async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => newUser()));
    const email = uniqueEmail('race');
    const results = await Promise.all(users.map((u) => call(t, 'POST', '/v1/email_addresses', { user_id: u.id, email_address: email, verified: true })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 422, 422, 422, 422, 422], results.map((r) => r.raw).join('\n'));
    for (const r of results.filter((x) => x.status === 422)) assert.equal((JSON.parse(r.raw) as { errors: { code: string }[] }).errors[0]!.code, 'form_identifier_exists');
    const rows = await t.deps.db.selectFrom('email_addresses').select('user_id').where('email', '=', email).execute();
    assert.equal(rows.length, 1);
  });

  it('PATCH verifies and unverifies, makes a verified address primary, and keeps the primary verified', async () => {
    const u = await newUser();
    const e = await add({ user_id: u.id, email_address: uniqueEmail('patch') });
    assert.equal((await fails(t, 'PATCH', `/v1/email_addresses/${e.id}`, { primary: true }, 422, 'form_param_value_invalid')).param_name, 'primary');
    const verified = await ok<EmailAddressJson>(t, 'PATCH', `/v1/email_addresses/${e.id}`, { verified: true });
    assert.equal(verified.verification?.status, 'verified');
    assert.equal(verified.verification?.strategy, 'admin');
    await ok<EmailAddressJson>(t, 'PATCH', `/v1/email_addresses/${e.id}`, { primary: true });
    assert.equal((await getUser(u.id)).primary_email_address_id, e.id);
    assert.equal((await fails(t, 'PATCH', `/v1/email_addresses/${e.id}`, { verified: false }, 422, 'form_param_value_invalid')).param_name, 'verified');
    // The old primary is a secondary now: it may be unverified.
    const old = await ok<EmailAddressJson>(t, 'PATCH', `/v1/email_addresses/${u.primary_email_address_id}`, { verified: false });
    assert.equal(old.verification?.status, 'unverified');
    assert.deepEqual(await ok<EmailAddressJson>(t, 'PATCH', `/v1/email_addresses/${e.id}`, {}), await ok<EmailAddressJson>(t, 'GET', `/v1/email_addresses/${e.id}`), 'an empty patch changes nothing');
    await fails(t, 'PATCH', '/v1/email_addresses/idn_nope', { verified: true }, 404, 'resource_not_found');
    assert.deepEqual((await auditOf(u.id)).slice(1), ['email_address.created', 'email_address.updated', 'email_address.updated', 'email_address.updated']);
  });

  it('DELETE removes a secondary address (DeletedObject) but never the primary one', async () => {
    const u = await newUser();
    const e = await add({ user_id: u.id, email_address: uniqueEmail('gone'), verified: true });
    assert.deepEqual(await ok(t, 'DELETE', `/v1/email_addresses/${e.id}`), { object: 'email_address', id: e.id, deleted: true });
    await fails(t, 'GET', `/v1/email_addresses/${e.id}`, undefined, 404, 'resource_not_found');
    await fails(t, 'DELETE', `/v1/email_addresses/${e.id}`, undefined, 404, 'resource_not_found');
    await fails(t, 'DELETE', `/v1/email_addresses/${u.primary_email_address_id}`, undefined, 422, 'primary_email_address_not_deletable');
    const now = await getUser(u.id);
    assert.deepEqual(now.email_addresses.map((x) => x.id), [u.primary_email_address_id]);
    // The freed address can be added again, to anyone.
    await add({ user_id: (await newUser()).id, email_address: e.email_address });
  });

  it('a delete and a make-primary of the same address, at once, never leave the primary pointing at nothing', async () => {
    for (let i = 0; i < 5; i++) {
      const u = await newUser();
      const e = await add({ user_id: u.id, email_address: uniqueEmail('both'), verified: true });
      const [del, prim] = await Promise.all([
        call(t, 'DELETE', `/v1/email_addresses/${e.id}`),
        call(t, 'PATCH', `/v1/email_addresses/${e.id}`, { primary: true }),
      ]);
      const user = await getUser(u.id);
      assert.ok(user.email_addresses.some((x) => x.id === user.primary_email_address_id), `primary ${user.primary_email_address_id} is one of the user's addresses`);
      // Whichever ran first decides the other's answer: deleted → 404; made primary → 422.
      assert.ok(
        (del.status === 200 && prim.status === 404) || (prim.status === 200 && del.status === 422),
        `delete ${del.status} ${del.raw} / make primary ${prim.status} ${prim.raw}`,
      );
    }
  });

  it('through @clerk/backend: create, get, update, delete', async () => {
    const clerk = createClerkClient({ secretKey: TEST_SECRET_KEY, apiUrl: t.url, telemetry: { disabled: true } });
    const u = await newUser();
    const email = uniqueEmail('sdk');
    const created = await clerk.emailAddresses.createEmailAddress({ userId: u.id, emailAddress: email, verified: false });
    assert.equal(created.emailAddress, email);
    assert.equal(created.verification?.status, 'unverified');
    assert.deepEqual(created.linkedTo, []);
    assert.equal((await clerk.emailAddresses.getEmailAddress(created.id)).id, created.id);
    const updated = await clerk.emailAddresses.updateEmailAddress(created.id, { verified: true, primary: true });
    assert.equal(updated.verification?.status, 'verified');
    const user = await clerk.users.getUser(u.id);
    assert.equal(user.primaryEmailAddressId, created.id);
    await clerkError(() => clerk.emailAddresses.deleteEmailAddress(created.id), 422, 'primary_email_address_not_deletable');
    await clerk.emailAddresses.updateEmailAddress(u.primary_email_address_id!, { primary: true });
    const deleted = await clerk.emailAddresses.deleteEmailAddress(created.id);
    assert.equal(deleted.id, created.id);
    assert.equal(deleted.deleted, true);
    const final: UserJson = await getUser(u.id);
    assert.equal(final.email_addresses.length, 1);
  });
});
