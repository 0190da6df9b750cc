// Sign-in: password, email code, and a ticket for an existing user (accepting an organization
// invitation). Wrong passwords and codes lock the account; a sign-in rotates the client token.
import { after, before, describe, it } from 'node:test';
import { createHash, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { storeName, type TestApp } from '../helpers/app.ts';

/** The stored key of a client token with the time part (features/clients: time part, then SHA-256). */
const hashTokenLike = (token: string): Buffer =>
  Buffer.concat([Buffer.from(token.slice(0, 8), 'base64url'), createHash('sha256').update(`client:${token}`).digest()]);
import { Browser, expire, fails, inviteToApp, inviteToOrg, lastCodeSentTo, newOrg, newPasswordUser, ok, okRes, PASSWORD, signedIn, startFapiApp, ticketOf, uniqueEmail } from './frontend.helpers.ts';

describe(`sign-in (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startFapiApp({ worker: true, env: { TESSERA_LOCKOUT_ATTEMPTS: '3', TESSERA_LOCKOUT_MINUTES: '15' } }); });
  after(async () => { await t.close(); });

  it('identifier + password: complete, session in the client, last_sign_in_at set', async () => {
    const { user, email } = await newPasswordUser(t);
    const b = new Browser(t);
    const body = okRes(await b.post('/v1/client/sign_ins', { identifier: email.toUpperCase(), password: PASSWORD }));
    assert.equal(body.response.object, 'sign_in_attempt');
    assert.equal(body.response.status, 'complete');
    assert.equal(body.client.sessions[0].user.id, user.id);
    assert.equal(body.client.sessions[0].status, 'active');
    assert.ok((await ok<any>(t, 'GET', `/v1/users/${user.id}`)).last_sign_in_at > 0);
  });

  it('an account imported with a bcrypt digest signs in with its password, and its digest becomes argon2id', async () => {
    const bcryptjs = (await import('bcryptjs')).default;
    const made = bcryptjs.hashSync(PASSWORD, 4); // $2b$
    for (const digest of [made, made.replace(/^\$2b\$/, '$2a$'), made.replace(/^\$2b\$/, '$2y$')]) {
      const email = uniqueEmail('bcrypt');
      const user = await ok<any>(t, 'POST', '/v1/users', { email_address: [email], password_digest: digest, password_hasher: 'bcrypt' });
      const stored = () => t.deps.db.selectFrom('users').select(['password_digest', 'password_hasher']).where('id', '=', user.id).executeTakeFirstOrThrow();
      fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: `${PASSWORD}!` }), 422, 'form_password_incorrect');
      assert.deepEqual(await stored(), { password_digest: digest, password_hasher: 'bcrypt' }, 'a wrong password changes nothing');
      const body = okRes(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: PASSWORD }));
      assert.equal(body.response.status, 'complete', digest.slice(0, 4));
      const after = await stored();
      assert.equal(after.password_hasher, 'argon2id');
      assert.match(after.password_digest!, /^\$argon2id\$/);
      // The new digest is the same password: it signs in again, and a wrong one still fails.
      assert.equal(okRes(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: PASSWORD })).response.status, 'complete');
      fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: 'not the password' }), 422, 'form_password_incorrect');
    }
  });

  it('the two-step form: create with the identifier, then attempt_first_factor with the password', async () => {
    const { email } = await newPasswordUser(t);
    const b = new Browser(t);
    const si = okRes(await b.post('/v1/client/sign_ins', { identifier: email })).response;
    assert.equal(si.status, 'needs_first_factor');
    assert.deepEqual(si.supported_first_factors.map((f: any) => f.strategy), ['password', 'email_code']);
    assert.ok(!si.supported_first_factors[1].safe_identifier.includes(email.split('@')[0]!.slice(3)), 'the address is masked');
    const done = okRes(await b.post(`/v1/client/sign_ins/${si.id}/attempt_first_factor`, { strategy: 'password', password: PASSWORD })).response;
    assert.equal(done.status, 'complete');
  });

  it('unknown identifier: form_identifier_not_found; wrong password: form_password_incorrect', async () => {
    fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: uniqueEmail('nobody'), password: PASSWORD }), 422, 'form_identifier_not_found');
    const { email } = await newPasswordUser(t);
    fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: 'not the password' }), 422, 'form_password_incorrect');
  });

  it('the third wrong password in a row locks the account, even against the right password; a success resets the count', async () => {
    const { email, user } = await newPasswordUser(t);
    fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: 'wrong 1 wrong' }), 422, 'form_password_incorrect');
    okRes(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: PASSWORD })); // resets
    fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: 'wrong 2 wrong' }), 422, 'form_password_incorrect');
    fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: 'wrong 3 wrong' }), 422, 'form_password_incorrect');
    const locked = await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: 'wrong 4 wrong' });
    fails(locked, 403, 'user_locked');
    const left = locked.body.errors[0].meta.lockout_expires_in_seconds;
    assert.ok(left > 800 && left <= 900, String(left));
    fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: PASSWORD }), 403, 'user_locked');
    // When the lockout has passed, the right password works again.
    await t.deps.db.updateTable('users').set({ locked_until: new Date(Date.now() - 1000) }).where('id', '=', user.id).execute();
    okRes(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: PASSWORD }));
  });

  it('a locked or banned user (users.locked / users.banned) cannot sign in', async () => {
    for (const column of ['locked', 'banned'] as const) {
      const { email, user } = await newPasswordUser(t);
      await t.deps.db.updateTable('users').set({ [column]: true }).where('id', '=', user.id).execute();
      fails(await new Browser(t).post('/v1/client/sign_ins', { identifier: email, password: PASSWORD }), 403, 'user_locked');
    }
  });

  it('email code: prepare_first_factor sends a code, attempt_first_factor completes; wrong codes count', async () => {
    const { email } = await newPasswordUser(t);
    const b = new Browser(t);
    const si = okRes(await b.post('/v1/client/sign_ins', { identifier: email })).response;
    const emailId = si.supported_first_factors.find((f: any) => f.strategy === 'email_code').email_address_id;
    const prepared = okRes(await b.post(`/v1/client/sign_ins/${si.id}/prepare_first_factor`, { strategy: 'email_code', email_address_id: emailId })).response;
    assert.equal(prepared.first_factor_verification.status, 'unverified');
    const code = await lastCodeSentTo(t, email);
    fails(await b.post(`/v1/client/sign_ins/${si.id}/attempt_first_factor`, { strategy: 'email_code', code: code === '999999' ? '000000' : '999999' }), 422, 'form_code_incorrect');
    const done = okRes(await b.post(`/v1/client/sign_ins/${si.id}/attempt_first_factor`, { strategy: 'email_code', code })).response;
    assert.equal(done.status, 'complete');
    fails(await b.post(`/v1/client/sign_ins/${si.id}/attempt_first_factor`, { strategy: 'email_code', code }), 400, 'sign_in_already_complete');
  });

  it('a sign-in rotates the client token: the cookie from before no longer works', async () => {
    const { email } = await newPasswordUser(t);
    const b = new Browser(t);
    const si = okRes(await b.post('/v1/client/sign_ins', { identifier: email })).response;
    const before = b.cookies.get('__client');
    assert.ok(before);
    okRes(await b.post(`/v1/client/sign_ins/${si.id}/attempt_first_factor`, { strategy: 'password', password: PASSWORD }));
    const after = b.cookies.get('__client');
    assert.notEqual(after, before);
    const stale = new Browser(t);
    stale.cookies.set('__client', before);
    fails(await stale.get('/v1/me'), 401, 'signed_out');
    okRes(await b.get('/v1/me'));
    // The cookie is HttpOnly and SameSite=Lax.
    const res = await fetch(`${t.url}/v1/client/sign_ins`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ identifier: email, password: PASSWORD }) });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__client='))!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /^__client=[A-Za-z0-9_-]{8}[A-Za-z0-9_-]{43};/, 'its creation time, then a 256-bit token');
    const stored = await t.deps.db.selectFrom('clients').select('token_hash').execute();
    const token = /^__client=([^;]+)/.exec(cookie)![1]!;
    assert.ok(!stored.some((r) => Buffer.from(r.token_hash).toString('utf8').includes(token)), 'only a hash is stored');
  });

  it('a client cookie of the earlier shape (43 characters, no time part) still signs the browser in', async () => {
    const { browser } = await signedIn(t);
    const client = await t.deps.db.selectFrom('clients').select('id').where('token_hash', '=', hashTokenLike(browser.cookies.get('__client')!)).executeTakeFirstOrThrow();
    const legacy = randomBytes(32).toString('base64url');
    await t.deps.db.updateTable('clients').set({ token_hash: createHash('sha256').update(`client:${legacy}`).digest() }).where('id', '=', client.id).execute();
    const old = new Browser(t);
    old.cookies.set('__client', legacy);
    okRes(await old.get('/v1/me'));
    fails(await browser.get('/v1/me'), 401, 'signed_out');
  });

  it('ticket, existing user: accepts the organization invitation, verifies the address, makes the org active', async () => {
    const owner = (await newPasswordUser(t)).user;
    const org = await newOrg(t, { created_by: owner.id });
    const email = uniqueEmail('member').toLowerCase();
    // The address exists but is unverified (reserved): the ticket proves it.
    const user = await ok<any>(t, 'POST', '/v1/users', { email_address: [email], password: PASSWORD, email_address_identification_status: ['reserved'] });
    const inv = await inviteToOrg(t, org.id, { email_address: email, role: 'org:admin', public_metadata: { via: 'ticket' } });
    const b = new Browser(t);
    const body = okRes(await b.post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(inv) }));
    assert.equal(body.response.status, 'complete');
    assert.equal(body.client.sessions[0].user.id, user.id);
    assert.equal(body.client.sessions[0].last_active_organization_id, org.id);
    // The answer's client (built from the rows the sign-in wrote) is the one the database holds.
    assert.deepEqual(body.client, okRes(await b.call('GET', '/v1/client')).response);
    const members = await ok<any>(t, 'GET', `/v1/organizations/${org.id}/memberships`);
    const m = members.data.find((x: any) => x.public_user_data.user_id === user.id);
    assert.equal(m.role, 'org:admin');
    assert.deepEqual(m.public_metadata, { via: 'ticket' });
    const u = await ok<any>(t, 'GET', `/v1/users/${user.id}`);
    assert.equal(u.email_addresses[0].verification.status, 'verified');
    fails(await new Browser(t).post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(inv) }), 400, 'organization_invitation_already_accepted');
  });

  it('concurrent accepts into one organization all land, each browser signed in as its own invitee (they are written together)', async () => {
    const owner = (await newPasswordUser(t)).user;
    const org = await newOrg(t, { created_by: owner.id });
    const invited = await Promise.all(Array.from({ length: 12 }, async () => {
      const { user, email } = await newPasswordUser(t);
      return { userId: user.id, inv: await inviteToOrg(t, org.id, { email_address: email }) };
    }));
    const browsers = invited.map(() => new Browser(t));
    const results = await Promise.all(invited.map(({ inv }, i) => browsers[i]!.post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(inv) })));
    for (const [i, r] of results.entries()) {
      const sessionId = (okRes(r) as any).response.created_session_id as string;
      const session = await t.deps.db.selectFrom('sessions').select(['user_id', 'active_organization_id']).where('id', '=', sessionId).executeTakeFirstOrThrow();
      assert.deepEqual(session, { user_id: invited[i]!.userId, active_organization_id: org.id });
      const me = okRes(await browsers[i]!.get('/v1/me')) as any;
      assert.equal(me.response.id, invited[i]!.userId, 'the cookie is the session of its own invitee');
    }
    assert.equal((await ok<any>(t, 'GET', `/v1/organizations/${org.id}/memberships`)).total_count, 13);
  });

  it('ticket without an account: organization_invitation_identification_not_exist / invitation_account_not_exists; expired: ticket_expired_code', async () => {
    const owner = (await newPasswordUser(t)).user;
    const org = await newOrg(t, { created_by: owner.id });
    const inv = await inviteToOrg(t, org.id);
    fails(await new Browser(t).post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(inv) }), 400, 'organization_invitation_identification_not_exist');
    const app = await inviteToApp(t);
    fails(await new Browser(t).post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(app) }), 400, 'invitation_account_not_exists');
    const { email } = await newPasswordUser(t);
    const old = await inviteToOrg(t, org.id, { email_address: email });
    await expire(t, 'organization_invitations', old.id);
    fails(await new Browser(t).post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(old) }), 400, 'ticket_expired_code');
    fails(await new Browser(t).post('/v1/client/sign_ins', { strategy: 'ticket', ticket: 'tkt_oinv_forged' }), 400, 'ticket_invalid_code');
  });

  it('signing in as someone else in the same browser ends the first session (one user per browser)', async () => {
    const a = await newPasswordUser(t);
    const c = await newPasswordUser(t);
    const b = new Browser(t);
    const first = okRes(await b.post('/v1/client/sign_ins', { identifier: a.email, password: PASSWORD })).response.created_session_id;
    const second = okRes(await b.post('/v1/client/sign_ins', { identifier: c.email, password: PASSWORD }));
    assert.deepEqual(second.client.sessions.map((s: any) => s.id), [second.response.created_session_id]);
    const row = await t.deps.db.selectFrom('sessions').select('status').where('id', '=', first).executeTakeFirstOrThrow();
    assert.equal(row.status, 'ended');
  });

  it('ticket in a new browser (one statement) and in a browser with a client (a transaction) write the same rows', async () => {
    const owner = (await newPasswordUser(t)).user;
    const org = await newOrg(t, { created_by: owner.id });
    const results = [];
    for (const existingClient of [false, true]) {
      const { user, email } = await newPasswordUser(t);
      const inv = await inviteToOrg(t, org.id, { email_address: email, role: 'org:admin', public_metadata: { n: 1 }, private_metadata: { p: 2 } });
      const b = new Browser(t);
      if (existingClient) {
        const other = await newPasswordUser(t);
        okRes(await b.post('/v1/client/sign_ins', { identifier: other.email, password: PASSWORD }));
      }
      const body = okRes(await b.post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(inv) }));
      assert.deepEqual(body.client, okRes(await b.get('/v1/client')).response);
      assert.deepEqual(body.client.sessions.map((s: any) => s.id), [body.response.created_session_id], 'one live session: the new one');
      const audit = await t.deps.db.selectFrom('audit_log').select(['actor', 'action', 'target', 'data']).where('actor', '=', user.id).orderBy('id').execute();
      const member = await t.deps.db.selectFrom('organization_memberships').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
      const session = await t.deps.db.selectFrom('sessions').selectAll().where('id', '=', body.response.created_session_id).executeTakeFirstOrThrow();
      const signIn = await t.deps.db.selectFrom('sign_ins').selectAll().where('id', '=', body.response.id).executeTakeFirstOrThrow();
      const stored = await t.deps.db.selectFrom('users').select(['last_sign_in_at']).where('id', '=', user.id).executeTakeFirstOrThrow();
      assert.ok(stored.last_sign_in_at);
      results.push({
        audit: audit.map((a) => ({ ...a, actor: 'USER', target: a.target === inv.id ? 'INV' : a.target, data: a.data && { ...a.data, invitation_id: a.data.invitation_id === inv.id ? 'INV' : a.data.invitation_id, user_id: a.data.user_id === user.id ? 'USER' : a.data.user_id } })),
        member: { role_id: member.role_id, public_metadata: member.public_metadata, private_metadata: member.private_metadata },
        session: { status: session.status, active_organization_id: session.active_organization_id, lifetime: session.expire_at.getTime() - session.created_at.getTime() },
        signIn: { status: signIn.status, identifier: signIn.identifier === email ? 'EMAIL' : signIn.identifier, first_factor_strategy: signIn.first_factor_strategy, first_factor_status: signIn.first_factor_status, user_id: signIn.user_id === user.id },
        response: { ...body.response, id: 'X', created_session_id: 'X', abandon_at: 'X', identifier: body.response.identifier === email ? 'EMAIL' : body.response.identifier },
      });
    }
    assert.deepEqual(results[0], results[1]);
    assert.deepEqual(results[0]!.audit.map((a: any) => a.action), ['organization_membership.created', 'organization_invitation.accepted']);
    assert.deepEqual(results[0]!.member.public_metadata, { n: 1 });
  });

  it('a ticket sign-in in a new browser (one statement) verifies the address, and its envelope shows the user as GET /v1/client does', async () => {
    const owner = (await newPasswordUser(t)).user;
    const org = await newOrg(t, { created_by: owner.id });
    const { user, email } = await newPasswordUser(t);
    await t.deps.db.updateTable('email_addresses').set({ verification_status: 'unverified', verification_strategy: 'admin' }).where('user_id', '=', user.id).execute();
    const inv = await inviteToOrg(t, org.id, { email_address: email });
    const b = new Browser(t);
    const body = okRes(await b.post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(inv) }));
    const shown = body.client.sessions[0].user;
    assert.equal(shown.email_addresses[0].verification.status, 'verified');
    assert.equal(shown.email_addresses[0].verification.strategy, 'ticket');
    assert.ok(shown.last_sign_in_at > 0);
    assert.deepEqual(body.client, okRes(await b.get('/v1/client')).response, 'the same user JSON, to the millisecond');
  });

  it('concurrent sign-ins with one ticket: exactly one wins; the others get organization_invitation_already_accepted and write nothing', async () => {
    const owner = (await newPasswordUser(t)).user;
    const org = await newOrg(t, { created_by: owner.id });
    const { user, email } = await newPasswordUser(t);
    const inv = await inviteToOrg(t, org.id, { email_address: email });
    const results = await Promise.all(Array.from({ length: 6 }, () => new Browser(t).post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(inv) })));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    for (const r of results.filter((x) => x.status !== 200)) fails(r, 400, 'organization_invitation_already_accepted');
    const sessions = await t.deps.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    assert.equal(sessions.length, 1);
    const accepted = await t.deps.db.selectFrom('audit_log').select('id').where('actor', '=', user.id).where('action', '=', 'organization_invitation.accepted').execute();
    assert.equal(accepted.length, 1);
  });
});
