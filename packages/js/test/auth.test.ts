// The SDK's sign-up, sign-in and sign-out flows against a real Tessera server (fresh database),
// as a browser runs them: a cookie-keeping fetch, form-encoded requests, state from every answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, isClerkAPIResponseError, isTesseraAPIError, publishableKeyFor, TesseraAPIError, type TesseraEvent } from '../src/index.ts';
import { bapi, codeSentTo, fakeBrowser, inviteToOrg, newBrowser, newOrg, newUser, PASSWORD, signedInBrowser, startSdkApp, uniqueEmail, type TestApp } from './helpers/sdk.ts';

/** Asserts a TesseraAPIError with this status and code. */
async function rejectsWith(p: Promise<unknown>, status: number, code: string): Promise<TesseraAPIError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(isTesseraAPIError(caught), String(caught));
  assert.equal(caught.status, status, JSON.stringify(caught.errors));
  assert.equal(caught.code, code);
  return caught;
}

describe('auth flows through the SDK', () => {
  let t: TestApp;
  before(async () => {
    t = await startSdkApp({ worker: true });
  });
  after(async () => {
    await t.close();
  });

  test('load() signed out: environment, no client, no session', async () => {
    const { tessera } = newBrowser(t);
    const events: TesseraEvent[] = [];
    tessera.addListener((e) => events.push(e));
    assert.equal(tessera.loaded, false);
    await tessera.load();
    assert.equal(tessera.loaded, true);
    assert.equal(tessera.client, null);
    assert.equal(tessera.session, null);
    assert.equal(tessera.user, null);
    assert.equal(tessera.organization, null);
    assert.equal(tessera.signUp.id, null);
    assert.equal(tessera.signIn.status, null);
    assert.equal(tessera.environment?.displayConfig.applicationName, 'Acme Test');
    assert.equal(tessera.environment?.displayConfig.signInUrl, `${t.url}/sign-in`);
    assert.equal(tessera.environment?.userSettings.signUp.mode, 'public');
    assert.ok(events.length >= 1 && events.at(-1)?.type === 'state');
    // load() is idempotent.
    const requests = events.length;
    await tessera.load();
    assert.equal(events.length, requests);
  });

  test('a publishable key finds the server', async () => {
    const tessera = createTessera({ publishableKey: publishableKeyFor(t.url), fetch: fakeBrowser(t).fetch });
    assert.equal(tessera.frontendApi, t.url);
    await tessera.load();
    assert.equal(tessera.environment?.displayConfig.applicationName, 'Acme Test');
  });

  test('password sign-in: user, session, and the active organization', async () => {
    const user = await newUser(t, uniqueEmail('Grace'), { first_name: 'Grace', last_name: 'Hopper', public_metadata: { plan_tier: 'pro', nested_key: { inner_key: 1 } } });
    const org = await newOrg(t, user.id, 'Navy Labs');
    const { tessera, browser } = newBrowser(t);
    await tessera.load();
    const events: TesseraEvent[] = [];
    tessera.addListener((e) => events.push(e));

    const signIn = await tessera.signIn.create({ identifier: user.email, password: PASSWORD });
    assert.equal(signIn.status, 'complete');
    assert.ok(signIn.createdSessionId?.startsWith('sess_'));
    await tessera.setActive({ session: signIn.createdSessionId });
    assert.equal(tessera.session?.id, signIn.createdSessionId);
    assert.equal(tessera.user?.id, user.id);
    assert.equal(tessera.user?.firstName, 'Grace');
    assert.equal(tessera.user?.fullName, 'Grace Hopper');
    assert.equal(tessera.user?.primaryEmailAddress?.emailAddress, user.email);
    assert.equal(tessera.user?.emailAddresses[0]?.verification?.status, 'verified');
    assert.ok(tessera.user?.createdAt instanceof Date);
    // Metadata keeps its keys as they are.
    assert.deepEqual(tessera.user?.publicMetadata, { plan_tier: 'pro', nested_key: { inner_key: 1 } });
    assert.ok(events.some((e) => e.type === 'state' && e.user?.id === user.id));

    await tessera.setActive({ organization: org.id });
    assert.equal(tessera.session?.lastActiveOrganizationId, org.id);
    assert.equal(tessera.organization?.id, org.id);
    assert.equal(tessera.organization?.name, 'Navy Labs');
    assert.equal(tessera.organization?.slug, org.slug);
    assert.equal(tessera.membership?.role, 'org:admin');
    assert.ok(tessera.membership?.permissions.includes('org:sys_memberships:manage'));
    assert.ok(events.some((e) => e.organization?.id === org.id));

    // A fresh instance in the same browser (a page reload) finds the same state.
    const again = createTessera({ frontendApi: t.url, fetch: browser.fetch });
    await again.load();
    assert.equal(again.user?.id, user.id);
    assert.equal(again.organization?.id, org.id);

    await tessera.setActive({ organization: null });
    assert.equal(tessera.organization, null);
    assert.equal(tessera.session?.lastActiveOrganizationId, null);
  });

  test('ticket sign-up exactly as seed 000, then setActive', async () => {
    const admin = await newUser(t);
    const org = await newOrg(t, admin.id, 'Invited Co');
    const email = uniqueEmail('invitee');
    const { ticket } = await inviteToOrg(t, org.id, email, 'org:member');
    const { tessera } = newBrowser(t);
    await tessera.load();
    const signUp = tessera.signUp;
    const setActive = tessera.setActive.bind(tessera);

    // The seed's handler, verbatim apart from the state setters.
    const firstName = 'Ada';
    const lastName = 'Lovelace';
    const password = PASSWORD;
    const signUpAttempt = await signUp.create({ strategy: 'ticket', ticket, firstName, lastName, password });
    if (signUpAttempt.status === 'complete') {
      await setActive({ session: signUpAttempt.createdSessionId });
    } else {
      assert.fail(`sign-up not complete: ${JSON.stringify(signUpAttempt)}`);
    }
    assert.equal(signUpAttempt, signUp, 'updated in place, as clerk-js does');
    assert.ok(signUpAttempt.createdUserId?.startsWith('user_'));
    assert.equal(tessera.user?.id, signUpAttempt.createdUserId);
    assert.equal(tessera.user?.firstName, 'Ada');
    assert.equal(tessera.user?.primaryEmailAddress?.emailAddress, email);
    // The invitation's organization is the session's active one.
    assert.equal(tessera.organization?.id, org.id);
    assert.equal(tessera.membership?.role, 'org:member');

    // The same ticket again, in another browser: already accepted.
    const other = newBrowser(t);
    await other.tessera.load();
    await rejectsWith(other.tessera.signUp.create({ strategy: 'ticket', ticket, password }), 400, 'organization_invitation_already_accepted');
  });

  test('ticket sign-up with unsafe metadata, and the ticket() shorthand', async () => {
    const admin = await newUser(t);
    const org = await newOrg(t, admin.id);
    const { ticket } = await inviteToOrg(t, org.id, uniqueEmail('shorthand'));
    const { tessera } = newBrowser(t);
    await tessera.load();
    const res = await tessera.signUp.ticket({ ticket, password: PASSWORD, unsafeMetadata: { favorite_color: 'teal', list_of: [1, 2] } });
    assert.equal(res.status, 'complete');
    await tessera.setActive({ session: res.createdSessionId });
    assert.deepEqual(tessera.user?.unsafeMetadata, { favorite_color: 'teal', list_of: [1, 2] });
    await assert.rejects(newBrowser(t).tessera.signUp.ticket(), /no ticket/);
  });

  test('ticket sign-in for an existing user (seed 000, __clerk_status=sign_in)', async () => {
    const admin = await newUser(t);
    const org = await newOrg(t, admin.id, 'Existing Users Inc');
    const member = await newUser(t);
    const { ticket } = await inviteToOrg(t, org.id, member.email, 'org:admin');
    const { tessera } = newBrowser(t);
    await tessera.load();
    const signInAttempt = await tessera.signIn.create({ strategy: 'ticket', ticket });
    assert.equal(signInAttempt.status, 'complete');
    await tessera.setActive({ session: signInAttempt.createdSessionId });
    assert.equal(tessera.user?.id, member.id);
    assert.equal(tessera.organization?.id, org.id);
    assert.equal(tessera.membership?.role, 'org:admin');
    // A new user's address: the ticket is for sign-up.
    const { ticket: forNewUser } = await inviteToOrg(t, org.id, uniqueEmail('nobody'));
    await rejectsWith(newBrowser(t).tessera.signIn.create({ strategy: 'ticket', ticket: forNewUser }), 400, 'organization_invitation_identification_not_exist');
  });

  test('email-code sign-up with the code from the dev mailbox', async () => {
    const email = uniqueEmail('coder');
    const { tessera } = newBrowser(t);
    await tessera.load();
    const signUp = tessera.signUp;
    await signUp.create({ emailAddress: email, password: PASSWORD, firstName: 'Code' });
    assert.equal(signUp.status, 'missing_requirements');
    assert.ok(signUp.id?.startsWith('sua_'));
    assert.equal(signUp.emailAddress, email);
    assert.deepEqual(signUp.unverifiedFields, ['email_address']);
    assert.equal(tessera.signUp.id, signUp.id, 'the client holds the attempt');

    await signUp.prepareEmailAddressVerification({ strategy: 'email_code' });
    assert.equal(signUp.verifications.emailAddress?.strategy, 'email_code');
    assert.equal(signUp.verifications.emailAddress?.status, 'unverified');
    assert.ok(signUp.verifications.emailAddress?.expireAt instanceof Date);
    const code = await codeSentTo(t, email);

    const wrong = await rejectsWith(signUp.attemptEmailAddressVerification({ code: code === '000000' ? '111111' : '000000' }), 422, 'form_code_incorrect');
    assert.equal(wrong.errors[0]?.meta.paramName, 'code');

    const done = await signUp.attemptEmailAddressVerification({ code });
    assert.equal(done.status, 'complete');
    await tessera.setActive({ session: done.createdSessionId });
    assert.equal(tessera.user?.primaryEmailAddress?.emailAddress, email);
    assert.equal(tessera.user?.firstName, 'Code');
    assert.equal(tessera.organization, null);
    await assert.rejects(newBrowser(t).tessera.signUp.update({ firstName: 'x' }), /signUp.create\(\) first/);
  });

  test('email-code sign-in: identifier, then the emailed code', async () => {
    const user = await newUser(t);
    const { tessera } = newBrowser(t);
    await tessera.load();
    const signIn = await tessera.signIn.create({ identifier: user.email });
    assert.equal(signIn.status, 'needs_first_factor');
    assert.equal(signIn.identifier, user.email);
    const factor = signIn.supportedFirstFactors.find((f) => f.strategy === 'email_code');
    assert.ok(factor?.emailAddressId, JSON.stringify(signIn.supportedFirstFactors));
    await signIn.prepareFirstFactor({ strategy: 'email_code', emailAddressId: factor.emailAddressId });
    const code = await codeSentTo(t, user.email);
    const done = await signIn.attemptFirstFactor({ strategy: 'email_code', code });
    assert.equal(done.status, 'complete');
    await tessera.setActive({ session: done.createdSessionId });
    assert.equal(tessera.user?.id, user.id);
  });

  test('identifier, then password as the first factor', async () => {
    const user = await newUser(t);
    const { tessera } = newBrowser(t);
    await tessera.load();
    await tessera.signIn.create({ identifier: user.email });
    const done = await tessera.signIn.attemptFirstFactor({ strategy: 'password', password: PASSWORD });
    assert.equal(done.status, 'complete');
    assert.equal(tessera.session?.user.id, user.id);
  });

  test('user.update: names and unsafe metadata; the instance shows them; a taken username is a TesseraAPIError', async () => {
    const user = await newUser(t);
    const { tessera } = await signedInBrowser(t, user);
    const me = tessera.user!;
    const updated = await me.update({ firstName: 'Katherine', lastName: 'Johnson', unsafeMetadata: { onboarded: true } });
    assert.equal(updated.firstName, 'Katherine');
    assert.equal(updated.fullName, 'Katherine Johnson');
    assert.deepEqual(updated.unsafeMetadata, { onboarded: true });
    assert.equal(tessera.user?.firstName, 'Katherine', "the answer's client updates the instance");
    await updated.update({ username: `kj${Date.now().toString(36)}` });
    const other = await newUser(t);
    const taken = (await bapi(t, 'GET', `/v1/users/${user.id}`)).body.username as string;
    const { tessera: second } = await signedInBrowser(t, other);
    await assert.rejects(second.user!.update({ username: taken }), (e: unknown) => isTesseraAPIError(e) && e.status === 422 && e.code === 'form_identifier_exists');
  });

  test('user.createEmailAddress → prepareVerification → attemptVerification; update({ primaryEmailAddressId }); destroy', async () => {
    const user = await newUser(t);
    const { tessera } = await signedInBrowser(t, user);
    const email = uniqueEmail('second').toLowerCase();
    const added = await tessera.user!.createEmailAddress({ email });
    assert.equal(added.emailAddress, email);
    assert.equal(added.verification, null);
    assert.equal(tessera.user!.emailAddresses.length, 1, 'pending: not among the addresses yet');
    const prepared = await added.prepareVerification({ strategy: 'email_code' });
    assert.equal(prepared.verification?.status, 'unverified');
    assert.ok(prepared.verification?.expireAt instanceof Date);
    await assert.rejects(prepared.attemptVerification({ code: 'abcdef' }), (e: unknown) => isTesseraAPIError(e) && e.code === 'form_code_incorrect');
    const verified = await prepared.attemptVerification({ code: await codeSentTo(t, email) });
    assert.equal(verified.verification?.status, 'verified');
    assert.equal(verified.verification?.strategy, 'email_code');
    assert.deepEqual(tessera.user!.emailAddresses.map((e) => e.emailAddress), [user.email, email], "the answer's client shows the new address");
    const switched = await tessera.user!.update({ primaryEmailAddressId: verified.id });
    assert.equal(switched.primaryEmailAddress?.emailAddress, email);
    const old = switched.emailAddresses.find((e) => e.emailAddress === user.email)!;
    await old.destroy();
    await tessera.load();
    assert.deepEqual(tessera.user!.emailAddresses.map((e) => e.emailAddress), [email]);
    await assert.rejects(tessera.user!.primaryEmailAddress!.destroy(), (e: unknown) => isTesseraAPIError(e) && e.code === 'primary_email_address_not_deletable');
  });

  test('typed errors carry the registry codes', async () => {
    const user = await newUser(t);
    const { tessera } = newBrowser(t);
    await tessera.load();
    const e = await rejectsWith(tessera.signIn.create({ identifier: user.email, password: 'not the password' }), 422, 'form_password_incorrect');
    assert.ok(e instanceof TesseraAPIError);
    assert.ok(isClerkAPIResponseError(e));
    assert.equal(e.clerkError, true);
    assert.equal(e.errors[0]?.meta.paramName, 'password');
    assert.ok(e.errors[0]?.longMessage);
    assert.equal(typeof e.clerkTraceId, 'string');
    assert.equal(e.retryAfter, undefined);
    assert.match(e.message, /form_password_incorrect/);
    assert.equal(isTesseraAPIError(new Error('x')), false);

    await rejectsWith(tessera.signIn.create({ identifier: uniqueEmail('ghost'), password: PASSWORD }), 422, 'form_identifier_not_found');
    await rejectsWith(tessera.signUp.create({ emailAddress: user.email, password: PASSWORD }), 422, 'form_identifier_exists');
    await rejectsWith(tessera.signUp.create({ strategy: 'ticket', ticket: 'forged' }), 400, 'ticket_invalid_code');
  });

  test('429 carries retryAfter from Retry-After', async () => {
    const strict = await startSdkApp({ env: { TESSERA_RATE_LIMIT_SIGN_INS_CREATE: '1/30s' } });
    try {
      const { tessera } = newBrowser(strict);
      await tessera.load();
      await rejectsWith(tessera.signIn.create({ identifier: uniqueEmail('a') }), 422, 'form_identifier_not_found');
      const e = await rejectsWith(tessera.signIn.create({ identifier: uniqueEmail('b') }), 429, 'too_many_requests');
      assert.ok(typeof e.retryAfter === 'number' && e.retryAfter > 0 && e.retryAfter <= 30, String(e.retryAfter));
    } finally {
      await strict.close();
    }
  });

  test('signOut clears the session, user, organization and tokens', async () => {
    const user = await newUser(t);
    const org = await newOrg(t, user.id);
    const { tessera } = await signedInBrowser(t, user);
    await tessera.setActive({ organization: org.id });
    const session = tessera.session;
    assert.ok(session);
    assert.ok(await session.getToken());
    const events: TesseraEvent[] = [];
    tessera.addListener((e) => events.push(e));
    await tessera.signOut();
    assert.equal(tessera.session, null);
    assert.equal(tessera.user, null);
    assert.equal(tessera.organization, null);
    assert.equal(tessera.client?.sessions.length, 0);
    assert.equal(await session.getToken(), null);
    assert.ok(events.some((e) => e.type === 'state' && e.session === null));
    // The server agrees.
    await tessera.reload();
    assert.equal(tessera.session, null);
  });

  test('signOut of one session, and setActive({ session: null })', async () => {
    const user = await newUser(t);
    const a = await signedInBrowser(t, user);
    const sessionId = a.tessera.session!.id;
    await a.tessera.signOut({ sessionId });
    assert.equal(a.tessera.session, null);
    const b = await signedInBrowser(t, user);
    await b.tessera.setActive({ session: null });
    assert.equal(b.tessera.session, null);
  });
});
