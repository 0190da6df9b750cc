// The signed-in user's own endpoints: /v1/me, memberships, invitations to verified addresses and
// accepting one (only the owner of the invited, verified address: security.md "Who may do what"),
// sessions and signing out.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeName, type TestApp } from '../helpers/app.ts';
import { Browser, fails, inviteToOrg, newOrg, newPasswordUser, ok, okRes, PASSWORD, signedIn, startFapiApp, uniqueEmail } from './frontend.helpers.ts';

describe(`me, sessions and sign-out (${storeName})`, () => {
  let t: TestApp;
  let owner: { id: string };
  before(async () => {
    t = await startFapiApp();
    owner = (await newPasswordUser(t)).user;
  });
  after(async () => { await t.close(); });

  it('without a session every me endpoint is 401 signed_out; GET /v1/client is null', async () => {
    const b = new Browser(t);
    for (const path of ['/v1/me', '/v1/me/organization_memberships', '/v1/me/organization_invitations']) fails(await b.get(path), 401, 'signed_out');
    fails(await b.post('/v1/me/organization_invitations/orginv_x/accept'), 401, 'signed_out');
    assert.deepEqual(okRes(await b.get('/v1/client')), { response: null, client: null });
  });

  it('PATCH /v1/me: names, username and unsafe metadata (form or JSON); nothing else; 401 signed out; 403 from another site', async () => {
    const { browser, user } = await signedIn(t);
    const r = okRes(await browser.call('PATCH', '/v1/me', { first_name: 'Ada', last_name: 'Lovelace', unsafe_metadata: JSON.stringify({ theme: 'dark' }) }));
    assert.equal(r.response.first_name, 'Ada');
    assert.equal(r.response.last_name, 'Lovelace');
    assert.deepEqual(r.response.unsafe_metadata, { theme: 'dark' });
    assert.equal(r.client.sessions[0].user.first_name, 'Ada', 'the piggybacked client shows the change');
    // JSON too; unsafe metadata is replaced whole; the Backend API sees the same user.
    okRes(await browser.call('PATCH', '/v1/me', { username: 'ada_l', unsafe_metadata: { lang: 'en' } }, { json: true }));
    const stored = await ok<any>(t, 'GET', `/v1/users/${user.id}`);
    assert.equal(stored.username, 'ada_l');
    assert.deepEqual(stored.unsafe_metadata, { lang: 'en' });
    assert.equal(stored.first_name, 'Ada');
    // Not the browser's to set: 422, nothing changed.
    for (const body of [{ public_metadata: { admin: true } }, { private_metadata: { x: 1 } }, { create_organization_enabled: false }, { password: 'another long password' }, { banned: true }]) {
      const res = await browser.call('PATCH', '/v1/me', body, { json: true });
      assert.equal(res.status, 422, JSON.stringify(res.body));
    }
    fails(await browser.call('PATCH', '/v1/me', { unsafe_metadata: '[1,2]' }), 422, 'form_param_value_invalid');
    const after = await ok<any>(t, 'GET', `/v1/users/${user.id}`);
    assert.deepEqual([after.public_metadata, after.private_metadata, after.create_organization_enabled], [{}, {}, true]);
    // A username someone else has: 422 form_identifier_exists.
    const other = await signedIn(t);
    fails(await other.browser.call('PATCH', '/v1/me', { username: 'ada_l' }), 422, 'form_identifier_exists');
    fails(await new Browser(t).call('PATCH', '/v1/me', { first_name: 'Nobody' }), 401, 'signed_out');
    const crossSite = new Browser(t, { origin: 'https://evil.example' });
    for (const [k, v] of browser.cookies) crossSite.cookies.set(k, v);
    fails(await crossSite.call('PATCH', '/v1/me', { first_name: 'Forged' }), 403, 'origin_invalid');
    assert.equal((await ok<any>(t, 'GET', `/v1/users/${user.id}`)).first_name, 'Ada');
  });

  it('lists pending invitations to verified addresses only, and accepts one', async () => {
    const { browser, user, email } = await signedIn(t);
    const org = await newOrg(t, { created_by: owner.id, public_metadata: { tier: 'gold' }, private_metadata: { secret: 1 } });
    const inv = await inviteToOrg(t, org.id, { email_address: email, private_metadata: { note: 'hidden' } });
    // An unverified (reserved) second address of the same user: its invitation is not listed.
    const other = uniqueEmail('unverified').toLowerCase();
    await t.deps.db.insertInto('email_addresses').values({ id: `idn_${Date.now()}x`, user_id: user.id, email: other, verification_status: 'unverified', verification_strategy: 'admin' }).execute();
    const hidden = await inviteToOrg(t, org.id, { email_address: other });
    const list = okRes(await browser.get('/v1/me/organization_invitations')).response;
    assert.deepEqual(list.data.map((i: any) => i.id), [inv.id]);
    assert.equal(list.data[0].private_metadata, undefined);
    assert.equal(list.data[0].public_organization_data.id, org.id);
    fails(await browser.post(`/v1/me/organization_invitations/${hidden.id}/accept`), 404, 'resource_not_found');

    const accepted = okRes(await browser.post(`/v1/me/organization_invitations/${inv.id}/accept`));
    assert.equal(accepted.response.status, 'accepted');
    assert.equal(accepted.client.sessions[0].last_active_organization_id, org.id);
    const mine = okRes(await browser.get('/v1/me/organization_memberships')).response;
    assert.deepEqual(mine.data.map((m: any) => m.organization.id), [org.id]);
    assert.deepEqual(mine.data[0].organization.public_metadata, { tier: 'gold' });
    assert.equal(mine.data[0].organization.private_metadata, undefined);
    assert.equal(mine.data[0].organization.members_count, 2, 'the creator and this user');
    assert.equal(mine.data[0].organization.pending_invitations_count, 1, 'the invitation to the unverified address');
    fails(await browser.post(`/v1/me/organization_invitations/${inv.id}/accept`), 400, 'organization_invitation_already_accepted');
    assert.equal(okRes(await browser.get('/v1/me/organization_invitations')).response.total_count, 0);
  });

  it('declining an invitation ends it (revoked); it can be neither accepted nor declined again', async () => {
    const { browser, email } = await signedIn(t);
    const org = await newOrg(t, { created_by: owner.id });
    const inv = await inviteToOrg(t, org.id, { email_address: email });
    const declined = okRes(await browser.post(`/v1/me/organization_invitations/${inv.id}/decline`)).response;
    assert.equal(declined.status, 'revoked');
    fails(await browser.post(`/v1/me/organization_invitations/${inv.id}/accept`), 400, 'organization_invitation_revoked_code');
    fails(await browser.post(`/v1/me/organization_invitations/${inv.id}/decline`), 400, 'organization_invitation_revoked_code');
    assert.equal((await ok<any>(t, 'GET', `/v1/organizations/${org.id}/memberships`)).data.length, 1, 'no membership');
    // Someone else's invitation cannot be declined either.
    const other = await inviteToOrg(t, org.id);
    fails(await browser.post(`/v1/me/organization_invitations/${other.id}/decline`), 404, 'resource_not_found');
    assert.equal((await ok<any>(t, 'GET', `/v1/organizations/${org.id}/invitations/${other.id}`)).status, 'pending');
  });

  it("someone else's invitation is 404, exactly like an unknown id (CVE-2026-53514)", async () => {
    const { browser } = await signedIn(t);
    const org = await newOrg(t, { created_by: owner.id });
    const inv = await inviteToOrg(t, org.id);
    fails(await browser.post(`/v1/me/organization_invitations/${inv.id}/accept`), 404, 'resource_not_found');
    fails(await browser.post('/v1/me/organization_invitations/orginv_000000000000000000000000000/accept'), 404, 'resource_not_found');
    assert.equal((await ok<any>(t, 'GET', `/v1/organizations/${org.id}/invitations/${inv.id}`)).status, 'pending');
  });

  it('touch sets the active organization, only to one the user belongs to', async () => {
    const { browser, user, sessionId } = await signedIn(t);
    const org = await newOrg(t, { created_by: user.id });
    const notMine = await newOrg(t, { created_by: owner.id });
    const s = okRes(await browser.post(`/v1/client/sessions/${sessionId}/touch`, { active_organization_id: org.id })).response;
    assert.equal(s.last_active_organization_id, org.id);
    fails(await browser.post(`/v1/client/sessions/${sessionId}/touch`, { active_organization_id: notMine.id }), 404, 'resource_not_found');
    assert.equal(okRes(await browser.post(`/v1/client/sessions/${sessionId}/touch`, { active_organization_id: '' })).response.last_active_organization_id, null);
  });

  it('sign-out: end one session, remove it, or DELETE all; then 401', async () => {
    for (const how of ['end', 'remove', 'delete-one', 'delete-all', 'destroy'] as const) {
      const { browser, sessionId } = await signedIn(t);
      okRes(await browser.get('/v1/me'));
      if (how === 'end') assert.equal(okRes(await browser.post(`/v1/client/sessions/${sessionId}/end`)).response.status, 'ended');
      if (how === 'remove') assert.equal(okRes(await browser.post(`/v1/client/sessions/${sessionId}/remove`)).response.status, 'removed');
      if (how === 'delete-one') assert.equal(okRes(await browser.call('DELETE', `/v1/client/sessions/${sessionId}`)).response.status, 'removed');
      if (how === 'delete-all') assert.deepEqual(okRes(await browser.call('DELETE', '/v1/client/sessions')).response.sessions, []);
      if (how === 'destroy') {
        okRes(await browser.call('DELETE', '/v1/client'));
        assert.equal(browser.cookies.get('__client'), undefined, 'the cookie is cleared');
      }
      fails(await browser.get('/v1/me'), 401, 'signed_out');
    }
  });

  it("a session id of another browser is not this browser's to end", async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    fails(await b.browser.post(`/v1/client/sessions/${a.sessionId}/end`), 404, 'resource_not_found');
    okRes(await a.browser.get('/v1/me'));
  });

  it('an expired session is signed out', async () => {
    const { browser, sessionId } = await signedIn(t);
    await t.deps.db.updateTable('sessions').set({ expire_at: new Date(Date.now() - 1000) }).where('id', '=', sessionId).execute();
    fails(await browser.get('/v1/me'), 401, 'signed_out');
  });

  it('a user deleted through the Backend API is signed out everywhere', async () => {
    const { browser, user } = await signedIn(t);
    await ok(t, 'DELETE', `/v1/users/${user.id}`);
    fails(await browser.get('/v1/me'), 401, 'signed_out');
    fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: user.email_addresses[0]!.email_address, password: PASSWORD }), 422, 'form_identifier_not_found');
  });
});
