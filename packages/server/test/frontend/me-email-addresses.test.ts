// A signed-in user's own email addresses (POST /v1/me/email_addresses, prepare_verification,
// attempt_verification, DELETE; PATCH /v1/me primary_email_address_id). The security case first:
// an address added from the browser counts for nothing until its emailed code is entered, so
// nobody can take over an invitation, a sign-in or a sign-up by adding someone else's address.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeName, type TestApp } from '../helpers/app.ts';
import { listDevEmails } from '../../src/features/dev-mailbox/dev-mailbox.repository.ts';
import { renderMailboxRow } from '../../src/features/dev-mailbox/dev-mailbox.service.ts';
import { Browser, fails, inviteToOrg, lastCodeSentTo, newOrg, newPasswordUser, ok, okRes, PASSWORD, signedIn, startFapiApp, ticketOf, uniqueEmail } from './frontend.helpers.ts';

describe(`my email addresses (${storeName})`, () => {
  let t: TestApp;
  let owner: { id: string };
  before(async () => {
    t = await startFapiApp({ worker: true });
    owner = (await newPasswordUser(t)).user;
  });
  after(async () => { await t.close(); });

  const add = async (b: Browser, email: string) => okRes(await b.post('/v1/me/email_addresses', { email_address: email })).response;
  const prepare = async (b: Browser, id: string) => okRes(await b.post(`/v1/me/email_addresses/${id}/prepare_verification`, { strategy: 'email_code' })).response;
  const attempt = (b: Browser, id: string, code: string) => b.post(`/v1/me/email_addresses/${id}/attempt_verification`, { code });
  const me = async (b: Browser) => okRes(await b.get('/v1/me')).response;
  const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000');

  it('add → pending (not among the user\'s addresses) → code emailed → verified with the same id, by email_code', async () => {
    const { browser, user } = await signedIn(t);
    const email = uniqueEmail('second').toLowerCase();
    const pending = await add(browser, email.toUpperCase());
    assert.equal(pending.object, 'email_address');
    assert.match(pending.id, /^idn_/);
    assert.equal(pending.email_address, email);
    assert.equal(pending.verification, null, 'no code sent yet');
    assert.deepEqual((await me(browser)).email_addresses.map((e: any) => e.id), [user.primary_email_address_id], 'pending addresses are not the user\'s yet');
    // Adding it again answers the same pending address.
    assert.equal((await add(browser, email)).id, pending.id);
    const prepared = await prepare(browser, pending.id);
    assert.equal(prepared.verification.status, 'unverified');
    assert.equal(prepared.verification.strategy, 'email_code');
    assert.equal(prepared.verification.attempts, 0);
    assert.ok(prepared.verification.expire_at > Date.now());
    const code = await lastCodeSentTo(t, email);
    const [mail] = await listDevEmails(t.deps.db, { to: email }, { limit: 1, offset: 0 });
    assert.match(renderMailboxRow(t.deps, mail!).text, /Your code to add this email address to your account on .+ is:/);
    fails(await attempt(browser, pending.id, wrongCode(code)), 422, 'form_code_incorrect');
    const verified = okRes(await attempt(browser, pending.id, code)).response;
    assert.equal(verified.id, pending.id);
    assert.equal(verified.verification.status, 'verified');
    assert.equal(verified.verification.strategy, 'email_code');
    const now = await me(browser);
    assert.deepEqual(now.email_addresses.map((e: any) => [e.id, e.verification.status]), [[user.primary_email_address_id, 'verified'], [pending.id, 'verified']]);
    assert.equal(now.primary_email_address_id, user.primary_email_address_id);
    // The code is spent: the address is no longer pending.
    fails(await attempt(browser, pending.id, code), 404, 'resource_not_found');
    const audit = await t.deps.db.selectFrom('audit_log').select('action').where('target', '=', user.id).orderBy('id').execute();
    assert.ok(audit.some((a) => a.action === 'email_address.created'));
  });

  it('a pending address counts for nothing: no sign-in by it, no ticket finds its account, nobody is kept from signing up with it', async () => {
    const attacker = await signedIn(t);
    const victim = uniqueEmail('victim').toLowerCase();
    const pending = await add(attacker.browser, victim);
    await prepare(attacker.browser, pending.id);
    await lastCodeSentTo(t, victim); // the code went to the victim's mailbox, not the attacker's
    // Password sign-in with that identifier finds no account.
    fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: victim, password: PASSWORD }), 422, 'form_identifier_not_found');
    // An organization invitation to the victim: the link says sign_up (no account has the address),
    // and a ticket sign-in finds no account (it would otherwise sign in as the attacker and hand
    // them the membership).
    const org = await newOrg(t, { created_by: owner.id });
    const inv = await inviteToOrg(t, org.id, { email_address: victim });
    const link = new URL(inv.url);
    const r = await new Browser(t).get(link.pathname + link.search);
    assert.equal(new URL(r.headers.get('location')!).searchParams.get('__clerk_status'), 'sign_up');
    fails(await new Browser(t).post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(inv) }), 400, 'organization_invitation_identification_not_exist');
    assert.equal(okRes(await attacker.browser.get('/v1/me/organization_invitations')).response.total_count, 0);
    // The victim can still sign up with the address (with the ticket, even), and then owns it.
    const signUp = okRes(await new Browser(t).post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), password: PASSWORD }));
    assert.equal(signUp.response.status, 'complete');
    // The attacker's pending claim now fails: the address is taken.
    await prepare(attacker.browser, pending.id);
    fails(await attempt(attacker.browser, pending.id, await lastCodeSentTo(t, victim)), 422, 'form_identifier_exists');
    fails(await attempt(attacker.browser, pending.id, '123456'), 404, 'resource_not_found');
  });

  it('two users proving the same address: the first to enter its code gets it, the other gets 422 form_identifier_exists', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const email = uniqueEmail('both').toLowerCase();
    const pa = await add(a.browser, email);
    const pb = await add(b.browser, email);
    await prepare(a.browser, pa.id);
    const codeA = await lastCodeSentTo(t, email);
    await prepare(b.browser, pb.id);
    const codeB = await lastCodeSentTo(t, email);
    okRes(await attempt(b.browser, pb.id, codeB));
    fails(await attempt(a.browser, pa.id, codeA), 422, 'form_identifier_exists');
    const owners = await t.deps.db.selectFrom('email_addresses').select('user_id').where('email', '=', email).execute();
    assert.deepEqual(owners.map((o) => o.user_id), [b.user.id]);
  });

  it('refuses an address somebody has (this user included), a bad address, and more than 10 pending ones', async () => {
    const { browser, email } = await signedIn(t);
    const other = await newPasswordUser(t);
    fails(await browser.post('/v1/me/email_addresses', { email_address: other.email }), 422, 'form_identifier_exists');
    fails(await browser.post('/v1/me/email_addresses', { email_address: email }), 422, 'form_identifier_exists');
    fails(await browser.post('/v1/me/email_addresses', { email_address: 'nope' }), 422, 'form_param_format_invalid');
    fails(await browser.post('/v1/me/email_addresses', {}), 422, 'form_param_missing');
    for (let i = 0; i < 10; i++) await add(browser, uniqueEmail(`many${i}`));
    fails(await browser.post('/v1/me/email_addresses', { email_address: uniqueEmail('eleventh') }), 422, 'form_param_value_invalid');
  });

  it('five wrong codes kill the code; a new code starts over; an expired code is verification_expired', async () => {
    const { browser } = await signedIn(t);
    const email = uniqueEmail('tries').toLowerCase();
    const p = await add(browser, email);
    fails(await attempt(browser, p.id, '123456'), 400, 'verification_not_started');
    await prepare(browser, p.id);
    const code = await lastCodeSentTo(t, email);
    for (let i = 1; i <= 4; i++) fails(await attempt(browser, p.id, wrongCode(code)), 422, 'form_code_incorrect');
    fails(await attempt(browser, p.id, wrongCode(code)), 400, 'verification_failed');
    fails(await attempt(browser, p.id, code), 400, 'verification_failed');
    await prepare(browser, p.id);
    const fresh = await lastCodeSentTo(t, email);
    await t.deps.db.updateTable('pending_email_addresses').set({ code_expires_at: new Date(Date.now() - 1000) }).where('id', '=', p.id).execute();
    fails(await attempt(browser, p.id, fresh), 400, 'verification_expired');
    await prepare(browser, p.id);
    okRes(await attempt(browser, p.id, await lastCodeSentTo(t, email)));
  });

  it('a verified address can be made primary (PATCH /v1/me); a pending one or another user\'s cannot', async () => {
    const { browser, user } = await signedIn(t);
    const email = uniqueEmail('prim').toLowerCase();
    const p = await add(browser, email);
    fails(await browser.call('PATCH', '/v1/me', { primary_email_address_id: p.id }), 422, 'form_param_value_invalid');
    fails(await browser.call('PATCH', '/v1/me', { primary_email_address_id: owner.id }), 422, 'form_param_value_invalid');
    await prepare(browser, p.id);
    okRes(await attempt(browser, p.id, await lastCodeSentTo(t, email)));
    const updated = okRes(await browser.call('PATCH', '/v1/me', { primary_email_address_id: p.id })).response;
    assert.equal(updated.primary_email_address_id, p.id);
    assert.equal((await ok<any>(t, 'GET', `/v1/users/${user.id}`)).primary_email_address_id, p.id);
  });

  it('DELETE: a pending address, a verified secondary one; never the primary; never someone else\'s', async () => {
    const { browser, user } = await signedIn(t);
    const other = await signedIn(t);
    const pending = await add(browser, uniqueEmail('drop'));
    assert.deepEqual(okRes(await browser.call('DELETE', `/v1/me/email_addresses/${pending.id}`)).response, { object: 'email_address', id: pending.id, deleted: true });
    fails(await browser.post(`/v1/me/email_addresses/${pending.id}/prepare_verification`, { strategy: 'email_code' }), 404, 'resource_not_found');
    const email = uniqueEmail('sec').toLowerCase();
    const sec = await add(browser, email);
    await prepare(browser, sec.id);
    okRes(await attempt(browser, sec.id, await lastCodeSentTo(t, email)));
    fails(await other.browser.call('DELETE', `/v1/me/email_addresses/${sec.id}`), 404, 'resource_not_found');
    fails(await other.browser.post(`/v1/me/email_addresses/${sec.id}/prepare_verification`, { strategy: 'email_code' }), 404, 'resource_not_found');
    fails(await browser.call('DELETE', `/v1/me/email_addresses/${user.primary_email_address_id}`), 422, 'primary_email_address_not_deletable');
    okRes(await browser.call('DELETE', `/v1/me/email_addresses/${sec.id}`));
    assert.deepEqual((await me(browser)).email_addresses.map((e: any) => e.id), [user.primary_email_address_id]);
  });

  it('an invitation to an address verified this way is listed and can be accepted', async () => {
    const { browser, user } = await signedIn(t);
    const email = uniqueEmail('work').toLowerCase();
    const org = await newOrg(t, { created_by: owner.id });
    const inv = await inviteToOrg(t, org.id, { email_address: email });
    assert.equal(okRes(await browser.get('/v1/me/organization_invitations')).response.total_count, 0);
    const p = await add(browser, email);
    await prepare(browser, p.id);
    okRes(await attempt(browser, p.id, await lastCodeSentTo(t, email)));
    const listed = okRes(await browser.get('/v1/me/organization_invitations')).response;
    assert.deepEqual(listed.data.map((i: any) => i.id), [inv.id]);
    okRes(await browser.post(`/v1/me/organization_invitations/${inv.id}/accept`));
    const memberships = await ok<any>(t, 'GET', `/v1/users/${user.id}/organization_memberships`);
    assert.deepEqual(memberships.data.map((m: any) => m.organization.id), [org.id]);
  });

  it('signed out: 401; from another site: 403 origin_invalid, nothing added', async () => {
    fails(await new Browser(t).post('/v1/me/email_addresses', { email_address: uniqueEmail('x') }), 401, 'signed_out');
    const { browser, user } = await signedIn(t);
    const crossSite = new Browser(t, { origin: 'https://evil.example' });
    for (const [k, v] of browser.cookies) crossSite.cookies.set(k, v);
    fails(await crossSite.post('/v1/me/email_addresses', { email_address: uniqueEmail('forged') }), 403, 'origin_invalid');
    const rows = await t.deps.db.selectFrom('pending_email_addresses').select('id').where('user_id', '=', user.id).execute();
    assert.equal(rows.length, 0);
  });
});

describe(`my email addresses, rate limit (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startFapiApp({ env: { TESSERA_RATE_LIMIT_EMAIL_ADDRESSES_VERIFY: '3/10s' } }); });
  after(async () => { await t.close(); });

  it('adding addresses and sending codes count per client IP: over the limit, 429 with Retry-After', async () => {
    const { browser } = await signedIn(t);
    const p = okRes(await browser.post('/v1/me/email_addresses', { email_address: uniqueEmail('rl') })).response;
    okRes(await browser.post(`/v1/me/email_addresses/${p.id}/prepare_verification`, { strategy: 'email_code' }));
    okRes(await browser.post(`/v1/me/email_addresses/${p.id}/prepare_verification`, { strategy: 'email_code' }));
    const over = await browser.post(`/v1/me/email_addresses/${p.id}/prepare_verification`, { strategy: 'email_code' });
    fails(over, 429, 'too_many_requests');
    assert.ok(Number(over.headers.get('retry-after')) >= 1);
  });
});
