// Sign-up without an invitation: email + password, then a 6-digit code sent by email
// (prepare_verification / attempt_verification); at most 5 wrong codes; codes expire.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { storeName, type TestApp } from '../helpers/app.ts';
import { Browser, fails, lastCodeSentTo, newPasswordUser, ok, okRes, PASSWORD, startFapiApp, uniqueEmail } from './frontend.helpers.ts';

describe(`sign-up with an email code (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startFapiApp({ worker: true }); });
  after(async () => { await t.close(); });

  async function started(b: Browser, email = uniqueEmail('new').toLowerCase()) {
    const su = okRes(await b.post('/v1/client/sign_ups', { email_address: email, password: PASSWORD, first_name: 'Lin' })).response;
    return { su, email };
  }

  it('missing_requirements until the emailed code is attempted, then complete and signed in', async () => {
    const b = new Browser(t);
    const { su, email } = await started(b);
    assert.equal(su.status, 'missing_requirements');
    assert.deepEqual(su.missing_fields, []);
    assert.deepEqual(su.unverified_fields, ['email_address']);
    assert.equal(su.verifications.email_address.next_action, 'needs_prepare');
    assert.equal(su.created_user_id, null);
    const prepared = okRes(await b.post(`/v1/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' })).response;
    assert.equal(prepared.verifications.email_address.next_action, 'needs_attempt');
    // The client shows the sign-up in progress.
    assert.equal(okRes(await b.get('/v1/client')).response.sign_up.id, su.id);
    const code = await lastCodeSentTo(t, email);
    const done = okRes(await b.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code }));
    assert.equal(done.response.status, 'complete');
    assert.match(done.response.created_user_id, /^user_/);
    assert.equal(done.client.sessions[0].user.id, done.response.created_user_id);
    assert.equal(done.client.sign_up, null, 'no sign-up in progress any more');
    const user = await ok<any>(t, 'GET', `/v1/users/${done.response.created_user_id}`);
    assert.equal(user.email_addresses[0].verification.strategy, 'email_code');
    assert.equal(user.first_name, 'Lin');
    fails(await b.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code }), 400, 'sign_up_already_complete');
  });

  it('missing fields can be given later with PATCH; a new address needs a new code', async () => {
    const b = new Browser(t);
    const su = okRes(await b.post('/v1/client/sign_ups', {})).response;
    assert.deepEqual(su.missing_fields, ['email_address', 'password']);
    const email = uniqueEmail('late').toLowerCase();
    const patched = okRes(await b.call('PATCH', `/v1/client/sign_ups/${su.id}`, { email_address: email })).response;
    assert.deepEqual(patched.missing_fields, ['password']);
    okRes(await b.post(`/v1/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' }));
    const code = await lastCodeSentTo(t, email);
    const verified = okRes(await b.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code })).response;
    assert.equal(verified.status, 'missing_requirements', 'the password is still missing');
    assert.deepEqual(verified.unverified_fields, []);
    const done = okRes(await b.call('PATCH', `/v1/client/sign_ups/${su.id}`, { password: PASSWORD })).response;
    assert.equal(done.status, 'complete');
  });

  it('a wrong code is form_code_incorrect; the fifth wrong code fails the verification for good', async () => {
    const b = new Browser(t);
    const { su, email } = await started(b);
    okRes(await b.post(`/v1/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' }));
    const code = await lastCodeSentTo(t, email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) fails(await b.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code: wrong }), 422, 'form_code_incorrect');
    fails(await b.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code: wrong }), 400, 'verification_failed');
    fails(await b.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code }), 400, 'verification_failed');
    // A new code starts over.
    okRes(await b.post(`/v1/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' }));
    const fresh = await lastCodeSentTo(t, email);
    assert.equal(okRes(await b.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code: fresh })).response.status, 'complete');
  });

  it('an expired code is verification_expired; attempting before preparing is verification_not_started', async () => {
    const b = new Browser(t);
    const { su, email } = await started(b);
    fails(await b.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code: '123456' }), 400, 'verification_not_started');
    okRes(await b.post(`/v1/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' }));
    const code = await lastCodeSentTo(t, email);
    await t.deps.db.updateTable('sign_ups').set({ code_expires_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', su.id).execute();
    fails(await b.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code }), 400, 'verification_expired');
  });

  it('a taken address is form_identifier_exists; a bad one form_param_format_invalid; another browser cannot see the sign-up', async () => {
    const { email } = await newPasswordUser(t);
    fails(await new Browser(t).post('/v1/client/sign_ups', { email_address: email, password: PASSWORD }), 422, 'form_identifier_exists');
    fails(await new Browser(t).post('/v1/client/sign_ups', { email_address: 'not an address', password: PASSWORD }), 422, 'form_param_format_invalid');
    const b = new Browser(t);
    const { su } = await started(b);
    fails(await new Browser(t).get(`/v1/client/sign_ups/${su.id}`), 404, 'resource_not_found');
    fails(await new Browser(t).post(`/v1/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' }), 404, 'resource_not_found');
    assert.equal(okRes(await b.get(`/v1/client/sign_ups/${su.id}`)).response.id, su.id);
  });

  it('the address taken between start and completion: form_identifier_exists, no second user', async () => {
    const b = new Browser(t);
    const { su, email } = await started(b);
    okRes(await b.post(`/v1/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' }));
    const code = await lastCodeSentTo(t, email);
    await ok(t, 'POST', '/v1/users', { email_address: [email], skip_password_requirement: true });
    fails(await b.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code }), 422, 'form_identifier_exists');
    assert.equal((await ok<any[]>(t, 'GET', `/v1/users?email_address=${encodeURIComponent(email)}`)).length, 1);
  });
});
