// The organization invitation link (security.md "Tickets"; clerk-wire.md §6.3): GET never
// consumes; a usable ticket goes to redirect_url, else to /sign-in (the address has an account) or
// /sign-up, with __clerk_ticket and __clerk_status; every unusable ticket gets the same plain
// /sign-up; application- and organization-invitation tickets are not interchangeable; only a
// purpose-bound hash is stored.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { bapi } from '../helpers/http.ts';
import type { UserJson } from '../../src/features/users/user.schemas.ts';
import {
  expireOrganizationInvitation,
  invite,
  newOrg,
  newUser,
  NO_INVITATION_LIMITS,
  ok,
  setOrganizationInvitationStatusRaw,
  ticketOf,
  uniqueEmail,
} from './org-invitations.helpers.ts';

const primaryEmail = (u: UserJson) => u.email_addresses.find((e) => e.id === u.primary_email_address_id)!.email_address;

describe(`organization invitation link (${storeName})`, () => {
  let t: TestApp;
  let org: { id: string; name: string };
  before(async () => {
    t = await startTestApp({ env: { TESSERA_ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com', ...NO_INVITATION_LIMITS } });
    org = await newOrg(t, { name: 'Analytical Engines' });
  });
  after(async () => { await t.close(); });

  const follow = (url: string) => {
    const u = new URL(url, t.url);
    return t.app.inject({ method: 'GET', url: u.pathname + u.search });
  };
  const locationOf = async (url: string) => {
    const res = await follow(url);
    assert.equal(res.statusCode, 303, res.body);
    return new URL(res.headers.location as string);
  };
  const plainSignUp = () => `${t.config.publicUrl}/sign-up`;

  it('sends a new address to /sign-up with the ticket and sign_up, and GET does not consume it', async () => {
    const inv = await invite(t, org.id);
    for (let i = 0; i < 3; i++) {
      const res = await follow(inv.url!);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['cache-control'], 'no-store');
      const loc = new URL(res.headers.location as string);
      assert.equal(loc.origin + loc.pathname, plainSignUp());
      assert.equal(loc.searchParams.get('__clerk_ticket'), ticketOf(inv));
      assert.equal(loc.searchParams.get('__clerk_status'), 'sign_up');
    }
    assert.equal((await ok<{ status: string }>(t, 'GET', `/v1/organizations/${org.id}/invitations/${inv.id}`)).status, 'pending');
  });

  it('sends an address that has an account to /sign-in with sign_in', async () => {
    const user = await newUser(t);
    const inv = await invite(t, org.id, { email_address: primaryEmail(user).toUpperCase() });
    const loc = await locationOf(inv.url!);
    assert.equal(loc.origin + loc.pathname, `${t.config.publicUrl}/sign-in`);
    assert.equal(loc.searchParams.get('__clerk_ticket'), ticketOf(inv));
    assert.equal(loc.searchParams.get('__clerk_status'), 'sign_in');
  });

  it('goes to redirect_url when set, keeping its own query, with the same status', async () => {
    const user = await newUser(t);
    for (const [email, status] of [[uniqueEmail('redir'), 'sign_up'], [primaryEmail(user), 'sign_in']] as const) {
      const inv = await invite(t, org.id, { email_address: email, redirect_url: 'https://app.example.com/accept?from=email' });
      const loc = await locationOf(inv.url!);
      assert.equal(loc.origin + loc.pathname, 'https://app.example.com/accept');
      assert.equal(loc.searchParams.get('from'), 'email');
      assert.equal(loc.searchParams.get('__clerk_ticket'), ticketOf(inv));
      assert.equal(loc.searchParams.get('__clerk_status'), status);
    }
  });

  it('leaves application invitations as they were: /sign-up even for an existing account', async () => {
    const user = await newUser(t);
    const app = await bapi(t, 'POST', '/v1/invitations', { email_address: primaryEmail(user), ignore_existing: true, notify: false });
    const loc = await locationOf(app.body.url);
    assert.equal(loc.origin + loc.pathname, plainSignUp());
    assert.equal(loc.searchParams.get('__clerk_status'), 'sign_in');
  });

  it('sends every unusable ticket to plain /sign-up, alike — including the other kind of ticket re-tagged', async () => {
    const revoked = await invite(t, org.id);
    await ok(t, 'POST', `/v1/organizations/${org.id}/invitations/${revoked.id}/revoke`);
    const expired = await invite(t, org.id);
    await expireOrganizationInvitation(t, expired.id);
    const accepted = await invite(t, org.id);
    await setOrganizationInvitationStatusRaw(t, accepted.id, 'accepted');
    const doomed = await newOrg(t);
    const orphan = await invite(t, doomed.id);
    await ok(t, 'DELETE', `/v1/organizations/${doomed.id}`);
    const valid = await invite(t, org.id);
    const app = await bapi(t, 'POST', '/v1/invitations', { email_address: uniqueEmail('app'), notify: false });
    const appTicket = new URL(app.body.url).searchParams.get('ticket')!;
    const orgSecret = ticketOf(valid).slice('tkt_oinv_'.length);
    const appSecret = appTicket.slice('tkt_inv_'.length);
    const q = (ticket: string) => `/v1/tickets/accept?ticket=${encodeURIComponent(ticket)}`;
    const cases: Record<string, string> = {
      revoked: revoked.url!,
      expired: expired.url!,
      accepted: accepted.url!,
      'deleted organization': orphan.url!,
      forged: q(`tkt_oinv_${randomBytes(32).toString('base64url')}`),
      'an application-invitation ticket re-tagged as an organization one': q(`tkt_oinv_${appSecret}`),
      'an organization-invitation ticket re-tagged as an application one': q(`tkt_inv_${orgSecret}`),
      'an organization-invitation ticket re-tagged as a sign-in token': q(`tkt_sit_${orgSecret}`),
      'the invitation id': q(valid.id),
    };
    const answers = new Set<string>();
    for (const [name, url] of Object.entries(cases)) {
      const res = await follow(url);
      assert.equal(res.statusCode, 303, name);
      assert.equal(res.headers.location, plainSignUp(), name);
      answers.add(`${res.statusCode} ${res.headers.location} ${res.body}`);
    }
    assert.equal(answers.size, 1, 'all unusable tickets get the same answer');
    // …while both untouched tickets still work.
    assert.equal((await locationOf(valid.url!)).searchParams.get('__clerk_ticket'), ticketOf(valid));
    assert.equal((await locationOf(app.body.url)).searchParams.get('__clerk_ticket'), appTicket);
  });

  it('stores only a purpose-bound hash of the ticket, at least 128 bits', async () => {
    const inv = await invite(t, org.id, { public_metadata: { note: 'x' } });
    const ticket = ticketOf(inv);
    const secret = ticket.slice('tkt_oinv_'.length + 8); // after the minting time
    assert.ok(Buffer.from(secret, 'base64url').length >= 16);
    const time = Buffer.from(ticket.slice('tkt_oinv_'.length, 'tkt_oinv_'.length + 8), 'base64url');
    const row = await t.deps.db.selectFrom('organization_invitations').selectAll().where('id', '=', inv.id).executeTakeFirstOrThrow();
    assert.deepEqual(Buffer.from(row.ticket_hash), Buffer.concat([time, createHash('sha256').update(`organization_invitation:${ticket}`).digest()]));
    const everything = JSON.stringify(await t.deps.db.selectFrom('organization_invitations').selectAll().execute()) +
      JSON.stringify(await t.deps.db.selectFrom('outbox').selectAll().execute()) +
      JSON.stringify(await t.deps.db.selectFrom('audit_log').selectAll().execute());
    assert.ok(!everything.includes(secret), 'the ticket is nowhere in the database in plain text');
  });

  describe('pages', () => {
    it('/sign-in shows the invited address and organization for a usable ticket, without leaking it to referrers', async () => {
      const user = await newUser(t);
      const inv = await invite(t, org.id, { email_address: primaryEmail(user) });
      const loc = await locationOf(inv.url!);
      const page = await follow(loc.href);
      assert.equal(page.statusCode, 200);
      assert.match(page.headers['content-type'] as string, /^text\/html/);
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.ok(page.body.includes(`data-testid="invited-email">${primaryEmail(user)}<`));
      assert.ok(page.body.includes('Analytical Engines'));
      await ok(t, 'POST', `/v1/organizations/${org.id}/invitations/${inv.id}/revoke`);
      const stale = await follow(loc.href);
      assert.equal(stale.statusCode, 200);
      assert.ok(!stale.body.includes(primaryEmail(user)));
      assert.ok(!stale.body.includes('invited-email'));
    });

    it('/sign-up shows the invited address and organization for a usable organization ticket', async () => {
      const inv = await invite(t, org.id);
      const page = await follow((await locationOf(inv.url!)).href);
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(`data-testid="invited-email">${inv.email_address}<`));
      assert.ok(page.body.includes('Analytical Engines on Acme Test'));
    });
  });
});
