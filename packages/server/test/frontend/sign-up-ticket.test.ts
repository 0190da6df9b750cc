// Sign-up with an invitation ticket (seed 000/002; clerk-wire.md §6.4; security.md "Tickets"):
// the address is the invitation's and counts as verified; an application invitation's
// public_metadata goes to the user; an organization invitation becomes a membership with its role
// and metadata; the ticket is single-use under concurrency; each unusable case has its own code.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeName, type TestApp } from '../helpers/app.ts';
import { bapi } from '../helpers/http.ts';
import { mintTicket } from '../../src/lib/tickets.ts';
import { Browser, expire, fails, inviteToApp, inviteToOrg, newOrg, newPasswordUser, ok, okRes, PASSWORD, startFapiApp, ticketOf, uniqueEmail } from './frontend.helpers.ts';

describe(`sign-up with an invitation ticket (${storeName})`, () => {
  let t: TestApp;
  let owner: { id: string };
  before(async () => {
    t = await startFapiApp();
    owner = (await newPasswordUser(t)).user;
  });
  after(async () => { await t.close(); });

  it('application invitation: completes at once, verified by the ticket, public_metadata moves to the user, invitation accepted', async () => {
    const inv = await inviteToApp(t, { public_metadata: { plan: 'pro', seats: 3 } });
    const b = new Browser(t);
    const body = okRes(await b.post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), first_name: 'Ada', last_name: 'Lovelace', password: PASSWORD }));
    const su = body.response;
    assert.equal(su.object, 'sign_up_attempt');
    assert.equal(su.status, 'complete');
    assert.equal(su.email_address, inv.email_address);
    assert.deepEqual(su.verifications.email_address.status, 'verified');
    assert.equal(su.verifications.email_address.strategy, 'ticket');
    assert.deepEqual(su.public_metadata, { plan: 'pro', seats: 3 });
    assert.match(su.created_user_id, /^user_/);
    assert.match(su.created_session_id, /^sess_/);
    // The client carries the new session, and the cookie now signs the browser in.
    assert.equal(body.client.sessions[0].id, su.created_session_id);
    assert.equal(body.client.last_active_session_id, su.created_session_id);
    assert.ok(b.cookies.get('__client'));
    assert.deepEqual(body.client, okRes(await b.get('/v1/client')).response, 'the answer\'s client is the one stored');
    const me = okRes(await b.get('/v1/me')).response;
    assert.equal(me.id, su.created_user_id);
    assert.equal(me.private_metadata, undefined, 'a browser never sees private metadata');

    const user = await ok<any>(t, 'GET', `/v1/users/${su.created_user_id}`);
    assert.deepEqual(user.public_metadata, { plan: 'pro', seats: 3 });
    assert.equal(user.first_name, 'Ada');
    assert.equal(user.password_enabled, true);
    assert.equal(user.email_addresses[0].verification.status, 'verified');
    assert.equal(user.email_addresses[0].verification.strategy, 'ticket');
    const after = await ok<any[]>(t, 'GET', `/v1/invitations?status=accepted`);
    assert.ok(after.some((i) => i.id === inv.id && i.status === 'accepted'));
    // The password works for a later sign-in.
    okRes(await new Browser(t).post('/v1/client/sign_ins', { identifier: inv.email_address, password: PASSWORD }));
  });

  it('accepts JSON as well as forms, and a sign-up without a password (email codes later)', async () => {
    const inv = await inviteToApp(t);
    const r = await new Browser(t).call('POST', '/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), unsafe_metadata: { theme: 'dark' } }, { json: true });
    const su = okRes(r).response;
    assert.equal(su.status, 'complete');
    assert.equal(su.password_enabled, false);
    assert.deepEqual(su.unsafe_metadata, { theme: 'dark' });
  });

  it('organization invitation: membership with the invited role and the invitation metadata, active organization set', async () => {
    const org = await newOrg(t, { created_by: owner.id });
    const inv = await inviteToOrg(t, org.id, { role: 'org:admin', public_metadata: { team: 'red' }, private_metadata: { cost_center: 42 } });
    const b = new Browser(t);
    const body = okRes(await b.post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), first_name: 'Grace', password: PASSWORD }));
    const userId = body.response.created_user_id;
    assert.equal(body.client.sessions[0].last_active_organization_id, org.id);
    const members = await ok<any>(t, 'GET', `/v1/organizations/${org.id}/memberships`);
    const m = members.data.find((x: any) => x.public_user_data.user_id === userId);
    assert.ok(m, 'the new user is a member');
    assert.equal(m.role, 'org:admin');
    assert.deepEqual(m.public_metadata, { team: 'red' });
    assert.deepEqual(m.private_metadata, { cost_center: 42 });
    const invNow = await ok<any>(t, 'GET', `/v1/organizations/${org.id}/invitations/${inv.id}`);
    assert.equal(invNow.status, 'accepted');
    // The browser sees the membership, without private metadata.
    const mine = okRes(await b.get('/v1/me/organization_memberships')).response;
    assert.equal(mine.total_count, 1);
    assert.equal(mine.data[0].organization.id, org.id);
    assert.equal(mine.data[0].private_metadata, undefined);
    assert.equal(mine.data[0].organization.private_metadata, undefined);
  });

  it('a used ticket: invitation_already_accepted / organization_invitation_already_accepted', async () => {
    const app = await inviteToApp(t);
    okRes(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(app) }));
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(app) }), 400, 'invitation_already_accepted');
    const org = await newOrg(t, { created_by: owner.id });
    const oinv = await inviteToOrg(t, org.id);
    okRes(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(oinv) }));
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(oinv) }), 400, 'organization_invitation_already_accepted');
  });

  it('revoked: revoked_invitation / organization_invitation_revoked_code; expired: ticket_expired_code', async () => {
    const app = await inviteToApp(t);
    await ok(t, 'POST', `/v1/invitations/${app.id}/revoke`);
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(app) }), 400, 'revoked_invitation');
    const org = await newOrg(t, { created_by: owner.id });
    const oinv = await inviteToOrg(t, org.id);
    await ok(t, 'POST', `/v1/organizations/${org.id}/invitations/${oinv.id}/revoke`);
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(oinv) }), 400, 'organization_invitation_revoked_code');
    const old = await inviteToApp(t);
    await expire(t, 'invitations', old.id);
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(old) }), 400, 'ticket_expired_code');
    const oldOrg = await inviteToOrg(t, org.id);
    await expire(t, 'organization_invitations', oldOrg.id);
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(oldOrg) }), 400, 'ticket_expired_code');
  });

  it('forged, unknown, re-tagged or missing tickets: ticket_invalid_code, with nothing written', async () => {
    const inv = await inviteToApp(t);
    const real = ticketOf(inv);
    const usersBefore = (await ok<any>(t, 'GET', '/v1/users/count')).total_count;
    for (const ticket of [
      mintTicket('invitation').token, // well-formed, unknown
      real.replace('tkt_inv_', 'tkt_oinv_'), // the real secret under another purpose
      real.replace('tkt_inv_', 'tkt_sit_'),
      `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`,
      'not-a-ticket',
      'x'.repeat(500),
    ]) {
      fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket }), 400, 'ticket_invalid_code');
    }
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket' }), 400, 'ticket_invalid_code');
    assert.equal((await ok<any>(t, 'GET', '/v1/users/count')).total_count, usersBefore);
    // The real one still works afterwards.
    okRes(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: real }));
  });

  it('the address already has an account: invitation_account_exists / organization_invitation_identification_already_exists', async () => {
    const { email } = await newPasswordUser(t);
    const app = await inviteToApp(t, { email_address: uniqueEmail('later') });
    // An account created for the address after the invitation was sent.
    await ok(t, 'POST', '/v1/users', { email_address: [app.email_address], skip_password_requirement: true });
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(app) }), 400, 'invitation_account_exists');
    const org = await newOrg(t, { created_by: owner.id });
    const oinv = await inviteToOrg(t, org.id, { email_address: email });
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(oinv) }), 400, 'organization_invitation_identification_already_exists');
    // Nothing was consumed: the invitation is still pending.
    assert.equal((await ok<any>(t, 'GET', `/v1/organizations/${org.id}/invitations/${oinv.id}`)).status, 'pending');
  });

  it('an email_address other than the invited one is refused; bad fields are 422 with the parameter', async () => {
    const inv = await inviteToApp(t);
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), email_address: 'someone.else@example.com' }), 422, 'form_param_value_invalid');
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), password: 'short' }), 422, 'form_password_length_too_short');
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), unsafe_metadata: '[1,2]' }), 422, 'form_param_value_invalid');
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), favourite_colour: 'blue' }), 422, 'form_param_unknown');
    // None of those consumed the ticket.
    okRes(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), email_address: inv.email_address.toUpperCase() }));
  });

  it('concurrent sign-ups with one ticket create exactly one user (better-auth#9154)', async () => {
    const org = await newOrg(t, { created_by: owner.id });
    const inv = await inviteToOrg(t, org.id);
    const ticket = ticketOf(inv);
    const results = await Promise.all(Array.from({ length: 8 }, () => new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket, password: PASSWORD })));
    const winners = results.filter((r) => r.status === 200);
    assert.equal(winners.length, 1, results.map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 120)}`).join('\n'));
    for (const r of results.filter((x) => x.status !== 200)) fails(r, 400, 'organization_invitation_already_accepted');
    const users = await ok<any[]>(t, 'GET', `/v1/users?email_address=${encodeURIComponent(inv.email_address)}`);
    assert.equal(users.length, 1);
    const members = await ok<any>(t, 'GET', `/v1/organizations/${org.id}/memberships`);
    assert.equal(members.data.filter((m: any) => m.public_user_data.user_id === users[0].id).length, 1);
  });

  it('the seat limit is checked again at accept time', async () => {
    const org = await newOrg(t, { created_by: owner.id, max_allowed_memberships: 2 });
    const inv = await inviteToOrg(t, org.id);
    // An admin adds a member directly meanwhile: the owner plus that member fill both seats.
    const other = (await newPasswordUser(t)).user;
    await bapi(t, 'PATCH', `/v1/organizations/${org.id}`, { max_allowed_memberships: 0 });
    await ok(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: other.id, role: 'org:member' });
    await bapi(t, 'PATCH', `/v1/organizations/${org.id}`, { max_allowed_memberships: 2 });
    fails(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv) }), 403, 'organization_membership_quota_exceeded');
    assert.equal((await ok<any>(t, 'GET', `/v1/organizations/${org.id}/invitations/${inv.id}`)).status, 'pending', 'rolled back');
  });
});
