// __clerk_status=complete (clerk-wire.md §6.3, seed 003): a browser already signed in as the
// invited user (verified address) that follows an organization invitation link has the invitation
// accepted at once, and lands on redirect_url or `/`. Anyone else's browser, or a mail scanner
// without a session, consumes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeName, type TestApp } from '../helpers/app.ts';
import { Browser, inviteToOrg, newOrg, newPasswordUser, ok, signedIn, startFapiApp } from './frontend.helpers.ts';

describe(`invitation link for a signed-in browser (${storeName})`, () => {
  let t: TestApp;
  let owner: { id: string };
  before(async () => {
    t = await startFapiApp({ env: { TESSERA_ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com' } });
    owner = (await newPasswordUser(t)).user;
  });
  after(async () => { await t.close(); });

  const follow = async (b: Browser, url: string) => {
    const u = new URL(url);
    const r = await b.get(u.pathname + u.search);
    assert.equal(r.status, 303);
    return new URL(r.headers.get('location')!);
  };

  it('signed in as the invitee: accepted at once, __clerk_status=complete, to / (or redirect_url)', async () => {
    const { browser, user, email } = await signedIn(t);
    const org = await newOrg(t, { created_by: owner.id });
    const inv = await inviteToOrg(t, org.id, { email_address: email, role: 'org:admin' });
    const to = await follow(browser, inv.url);
    assert.equal(to.pathname, '/');
    assert.equal(to.searchParams.get('__clerk_status'), 'complete');
    const m = (await ok<any>(t, 'GET', `/v1/organizations/${org.id}/memberships`)).data.find((x: any) => x.public_user_data.user_id === user.id);
    assert.equal(m.role, 'org:admin');
    const client = (await browser.get('/v1/client')).body.response;
    assert.equal(client.sessions[0].last_active_organization_id, org.id);

    const inv2 = await inviteToOrg(t, (await newOrg(t, { created_by: owner.id })).id, { email_address: email, redirect_url: 'https://app.example.com/welcome' });
    const to2 = await follow(browser, inv2.url);
    assert.equal(to2.origin + to2.pathname, 'https://app.example.com/welcome');
    assert.equal(to2.searchParams.get('__clerk_status'), 'complete');
  });

  it('signed in as someone else, or not at all: nothing is consumed (sign_in / sign_up as before)', async () => {
    const invitee = await newPasswordUser(t);
    const org = await newOrg(t, { created_by: owner.id });
    const inv = await inviteToOrg(t, org.id, { email_address: invitee.email });
    const other = await signedIn(t);
    assert.equal((await follow(other.browser, inv.url)).searchParams.get('__clerk_status'), 'sign_in');
    assert.equal((await follow(new Browser(t), inv.url)).searchParams.get('__clerk_status'), 'sign_in');
    assert.equal((await ok<any>(t, 'GET', `/v1/organizations/${org.id}/invitations/${inv.id}`)).status, 'pending');
  });

  it('an unverified address of the signed-in user does not count', async () => {
    const { browser, user } = await signedIn(t);
    const org = await newOrg(t, { created_by: owner.id });
    const email = `unverified-${Date.now()}@example.com`;
    await t.deps.db.insertInto('email_addresses').values({ id: `idn_u${Date.now()}`, user_id: user.id, email, verification_status: 'unverified', verification_strategy: 'admin' }).execute();
    const inv = await inviteToOrg(t, org.id, { email_address: email });
    assert.notEqual((await follow(browser, inv.url)).searchParams.get('__clerk_status'), 'complete');
    assert.equal((await ok<any>(t, 'GET', `/v1/organizations/${org.id}/invitations/${inv.id}`)).status, 'pending');
  });
});
