// Organization administration from the browser (seed 001's useOrganization page): the same paths
// as the Backend API, for a session whose user holds org:sys_memberships:manage there. A browser
// cannot choose redirect_url, metadata or the inviter (seed 003).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeName, type TestApp } from '../helpers/app.ts';
import { bapi } from '../helpers/http.ts';
import { Browser, fails, newOrg, ok, okRes, signedIn, startFapiApp, uniqueEmail } from './frontend.helpers.ts';

describe(`organization admin from the browser (${storeName})`, () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signedIn>>;
  let member: Awaited<ReturnType<typeof signedIn>>;
  let org: { id: string };
  before(async () => {
    t = await startFapiApp();
    admin = await signedIn(t);
    member = await signedIn(t);
    org = await newOrg(t, { created_by: admin.user.id });
    await ok(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: member.user.id, role: 'org:member' });
  });
  after(async () => { await t.close(); });

  const path = (p = '') => `/v1/organizations/${org.id}/invitations${p}`;

  it('an admin invites (the inviter is the signed-in user; the link is not sent back), lists and revokes', async () => {
    const email = uniqueEmail('invitee').toLowerCase();
    const created = okRes(await admin.browser.post(path(), { email_address: email, role: 'org:member' })).response;
    assert.equal(created.status, 'pending');
    assert.equal(created.inviter_id, admin.user.id);
    assert.equal(created.url, null);
    assert.equal(created.private_metadata, undefined);
    const list = okRes(await admin.browser.get(`${path()}?status=pending`)).response;
    assert.ok(list.data.some((i: any) => i.id === created.id));
    const revoked = okRes(await admin.browser.post(path(`/${created.id}/revoke`))).response;
    assert.equal(revoked.status, 'revoked');
    fails(await admin.browser.post(path(`/${created.id}/revoke`)), 404, 'organization_invitation_not_pending');
    // The Backend API sees the same invitation.
    assert.equal((await ok<any>(t, 'GET', path(`/${created.id}`))).status, 'revoked');
  });

  it('bulk: all or nothing', async () => {
    const a = uniqueEmail('bulk-a');
    const b = uniqueEmail('bulk-b');
    const made = okRes(await admin.browser.post(path('/bulk'), { email_address: [a, b], role: 'org:member' })).response;
    assert.equal(made.length, 2);
    fails(await admin.browser.post(path('/bulk'), { email_address: [uniqueEmail('bulk-c'), a], role: 'org:member' }), 400, 'duplicate_record');
    const pending = okRes(await admin.browser.get(`${path()}?status=pending&limit=100`)).response.data.map((i: any) => i.email_address);
    assert.ok(!pending.some((e: string) => e.startsWith('bulk-c')));
  });

  it('a member without org:sys_memberships:manage gets 403 not_an_admin_in_organization; may list members', async () => {
    fails(await member.browser.post(path(), { email_address: uniqueEmail('x'), role: 'org:member' }), 403, 'not_an_admin_in_organization');
    fails(await member.browser.get(path()), 403, 'not_an_admin_in_organization');
    const inv = await ok<any>(t, 'POST', path(), { email_address: uniqueEmail('y'), role: 'org:member' });
    fails(await member.browser.post(path(`/${inv.id}/revoke`)), 403, 'not_an_admin_in_organization');
    const members = okRes(await member.browser.get(`/v1/organizations/${org.id}/memberships`)).response;
    assert.equal(members.total_count, 2);
    assert.equal(members.data[0].private_metadata, undefined);
    // A signed-in stranger cannot even list members.
    const stranger = await signedIn(t);
    fails(await stranger.browser.get(`/v1/organizations/${org.id}/memberships`), 403, 'not_an_admin_in_organization');
  });

  it('members can list the roles for the invite form; strangers cannot', async () => {
    const roles = okRes(await member.browser.get(`/v1/organizations/${org.id}/roles`)).response;
    assert.deepEqual(roles.data.map((r: any) => r.key).sort(), ['org:admin', 'org:member']);
    fails(await (await signedIn(t)).browser.get(`/v1/organizations/${org.id}/roles`), 403, 'not_an_admin_in_organization');
  });

  it('a browser cannot set redirect_url, metadata or the inviter', async () => {
    for (const extra of [{ redirect_url: 'https://evil.example.com' }, { public_metadata: '{}' }, { inviter_user_id: member.user.id }]) {
      fails(await admin.browser.post(path(), { email_address: uniqueEmail('z'), role: 'org:member', ...extra }), 422, 'form_param_unknown');
    }
  });

  it('without a session: 401 signed_out; with the secret key the same path is the Backend API', async () => {
    fails(await new Browser(t).post(path(), { email_address: uniqueEmail('anon'), role: 'org:member' }), 401, 'signed_out');
    fails(await new Browser(t).get(path()), 401, 'signed_out');
    const viaBapi = await bapi(t, 'GET', path());
    assert.equal(viaBapi.status, 200);
    assert.ok(Array.isArray(viaBapi.body.data), 'Backend API shape, not the {response, client} envelope');
    assert.equal(viaBapi.body.response, undefined);
    // A wrong secret key is still the Backend API's 401, not the Frontend API's.
    const wrong = await t.app.inject({ method: 'GET', url: path(), headers: { authorization: 'Bearer sk_test_wrongwrongwrongwrong' } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().errors[0].code, 'clerk_key_invalid');
    // A Backend-API-only path without any auth stays 401 authentication_invalid.
    const bare = await t.app.inject({ method: 'GET', url: '/v1/users' });
    assert.equal(bare.json().errors[0].code, 'authentication_invalid');
  });
});
