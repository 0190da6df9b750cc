// The same user flows through the unmodified @clerk/backend client, pointed at a real listening
// server: what a Clerk user's code does after changing only apiUrl.
process.env.CLERK_TELEMETRY_DISABLED = '1';

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import argon2 from 'argon2';
import { createClerkClient, type ClerkClient } from '@clerk/backend';
import { ClerkAPIResponseError } from '@clerk/backend/errors';
import { startTestApp, storeName, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { clerkError } from '../helpers/clerk-sdk.ts';
import { PASSWORD, uniqueEmail } from './users.helpers.ts';


describe(`users through @clerk/backend (${storeName})`, () => {
  let t: TestApp;
  let clerk: ClerkClient;
  before(async () => {
    t = await startTestApp();
    clerk = createClerkClient({ secretKey: TEST_SECRET_KEY, apiUrl: t.url, telemetry: { disabled: true } });
  });
  after(async () => { await t.close(); });

  it('createUser → getUser: the SDK parses every field it maps', async () => {
    const email = uniqueEmail('Sdk');
    const legal = new Date('2024-05-06T07:08:09.010Z');
    const created = await clerk.users.createUser({
      emailAddress: [email.toUpperCase()], password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace', username: `Sdk_${process.pid}`,
      externalId: `sdk-${process.pid}`, publicMetadata: { plan: 'pro' }, privateMetadata: { crm: 1 }, unsafeMetadata: { theme: 'dark' },
      legalAcceptedAt: legal, skipLegalChecks: true,
    });
    assert.match(created.id, /^user_/);
    assert.equal(created.firstName, 'Ada');
    assert.equal(created.fullName, 'Ada Lovelace');
    assert.equal(created.username, `sdk_${process.pid}`);
    assert.equal(created.externalId, `sdk-${process.pid}`);
    assert.equal(created.passwordEnabled, true);
    assert.equal(created.legalAcceptedAt, legal.getTime());
    assert.deepEqual(created.publicMetadata, { plan: 'pro' });
    assert.deepEqual(created.privateMetadata, { crm: 1 });
    assert.deepEqual(created.unsafeMetadata, { theme: 'dark' });
    assert.equal(created.primaryEmailAddress?.emailAddress, email.toLowerCase());
    assert.equal(created.primaryEmailAddress?.verification?.status, 'verified');
    assert.equal(created.primaryEmailAddress?.verification?.strategy, 'admin');
    assert.deepEqual(created.primaryEmailAddress?.linkedTo, []);
    assert.equal(typeof created.createdAt, 'number');

    const fetched = await clerk.users.getUser(created.id);
    assert.equal(fetched.id, created.id);
    assert.equal(fetched.primaryEmailAddressId, created.primaryEmailAddressId);
    assert.deepEqual(fetched.raw, created.raw);
    assert.equal(JSON.stringify(fetched.raw).includes('$argon2'), false);

    const stored = await t.deps.db.selectFrom('users').select('password_digest').where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.equal(await argon2.verify(stored.password_digest!, PASSWORD), true);
  });

  it('createUser with an imported digest and createdAt', async () => {
    const digest = await argon2.hash('imported', { type: argon2.argon2id });
    const createdAt = new Date('2019-01-01T00:00:00.000Z');
    const u = await clerk.users.createUser({ emailAddress: [uniqueEmail('sdkimp')], passwordDigest: digest, passwordHasher: 'argon2id', createdAt });
    assert.equal(u.passwordEnabled, true);
    assert.equal(u.createdAt, createdAt.getTime());
  });

  it('getUserList returns {data, totalCount} from /v1/users and /v1/users/count; getCount agrees', async () => {
    const tag = `list${process.pid}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await clerk.users.createUser({ emailAddress: [`${tag}.${i}@example.com`], firstName: `L${i}`, skipPasswordRequirement: true })).id);
    }
    const page = await clerk.users.getUserList({ query: tag, limit: 2, orderBy: '+created_at' });
    assert.equal(page.totalCount, 3);
    assert.deepEqual(page.data.map((u) => u.id), ids.slice(0, 2));
    const rest = await clerk.users.getUserList({ query: tag, limit: 2, offset: 2, orderBy: '+created_at' });
    assert.deepEqual(rest.data.map((u) => u.id), ids.slice(2));
    const byEmail = await clerk.users.getUserList({ emailAddress: [`${tag}.0@example.com`, `${tag.toUpperCase()}.2@EXAMPLE.COM`] });
    assert.deepEqual(new Set(byEmail.data.map((u) => u.id)), new Set([ids[0], ids[2]]));
    assert.equal(byEmail.totalCount, 2);
    const byId = await clerk.users.getUserList({ userId: [ids[1]!] });
    assert.deepEqual(byId.data.map((u) => u.firstName), ['L1']);
    assert.equal(await clerk.users.getCount({ query: tag }), 3);
    assert.equal(await clerk.users.getCount({ userId: [ids[0]!, ids[1]!] }), 2);
  });

  it('updateUserMetadata deep-merges; updateUser with publicMetadata replaces it (PUT …/metadata)', async () => {
    const u = await clerk.users.createUser({ emailAddress: [uniqueEmail('sdkmeta')], skipPasswordRequirement: true, publicMetadata: { a: 1, nested: { x: 1, y: 2 } } });
    const merged = await clerk.users.updateUserMetadata(u.id, { publicMetadata: { nested: { y: null, z: 3 } }, privateMetadata: { secret: true } });
    assert.deepEqual(merged.publicMetadata, { a: 1, nested: { x: 1, z: 3 } });
    assert.deepEqual(merged.privateMetadata, { secret: true });

    const replaced = await clerk.users.updateUser(u.id, { publicMetadata: { only: 'this' } });
    assert.deepEqual(replaced.publicMetadata, { only: 'this' }, 'replaced, not merged');
    assert.deepEqual(replaced.privateMetadata, { secret: true });

    const both = await clerk.users.updateUser(u.id, { firstName: 'Both', unsafeMetadata: { u: 1 } });
    assert.equal(both.firstName, 'Both');
    assert.deepEqual(both.unsafeMetadata, { u: 1 });
    assert.deepEqual(both.publicMetadata, { only: 'this' });

    const again = await clerk.users.replaceUserMetadata(u.id, { privateMetadata: {} });
    assert.deepEqual(again.privateMetadata, {});
    assert.deepEqual(again.publicMetadata, { only: 'this' });
  });

  it('updateUser without metadata uses PATCH /v1/users/{id}', async () => {
    const u = await clerk.users.createUser({ emailAddress: [uniqueEmail('sdkupd')], password: PASSWORD });
    const m = await clerk.users.updateUser(u.id, { firstName: 'Renamed', username: `Renamed_${process.pid}`, password: 'another long secret' });
    assert.equal(m.firstName, 'Renamed');
    assert.equal(m.username, `renamed_${process.pid}`);
    const stored = await t.deps.db.selectFrom('users').select('password_digest').where('id', '=', u.id).executeTakeFirstOrThrow();
    assert.equal(await argon2.verify(stored.password_digest!, 'another long secret'), true);
  });

  it('deleteUser returns a DeletedObject; the user is then 404 resource_not_found', async () => {
    const u = await clerk.users.createUser({ emailAddress: [uniqueEmail('sdkdel')], skipPasswordRequirement: true });
    // Typed Promise<User> by the SDK; at run time it is the DeletedObject its parser builds.
    const deleted: unknown = await clerk.users.deleteUser(u.id);
    assert.ok(typeof deleted === 'object' && deleted !== null);
    // slug:null is added by the SDK's DeletedObject.fromJSON: the reply took the DeletedObject path.
    assert.deepEqual({ ...deleted }, { object: 'user', id: u.id, slug: null, deleted: true });
    await clerkError(() => clerk.users.getUser(u.id), 404, 'resource_not_found');
    await clerkError(() => clerk.users.deleteUser(u.id), 404, 'resource_not_found');
  });

  it('errors arrive as ClerkAPIResponseError with the status, code and meta', async () => {
    const email = uniqueEmail('sdkdup');
    await clerk.users.createUser({ emailAddress: [email], skipPasswordRequirement: true });
    let err = await clerkError(() => clerk.users.createUser({ emailAddress: [email.toUpperCase()], skipPasswordRequirement: true }), 422, 'form_identifier_exists');
    assert.equal(err.errors[0]?.meta?.paramName, 'email_address');
    err = await clerkError(() => clerk.users.createUser({ emailAddress: [uniqueEmail()], password: 'short' }), 422, 'form_password_length_too_short');
    assert.equal(err.errors[0]?.meta?.paramName, 'password');
    err = await clerkError(() => clerk.users.createUser({ emailAddress: [uniqueEmail()] }), 422, 'form_param_missing');
    assert.equal(err.errors[0]?.meta?.paramName, 'password');
    err = await clerkError(() => clerk.users.createUser({ phoneNumber: ['+15555550100'], emailAddress: [uniqueEmail()], skipPasswordRequirement: true }), 422, 'form_param_value_invalid');
    assert.equal(err.errors[0]?.meta?.paramName, 'phone_number');
    err = await clerkError(() => clerk.users.createUser({ emailAddress: ['not an email'], skipPasswordRequirement: true }), 422, 'form_param_format_invalid');
    assert.equal(err.errors[0]?.meta?.paramName, 'email_address');
    assert.ok(err.clerkTraceId, 'the trace id comes back');
    await clerkError(() => clerk.users.updateUserMetadata('user_0000000000000000000000missing', { publicMetadata: { a: 1 } }), 404, 'resource_not_found');
    const wrongKey = createClerkClient({ secretKey: 'sk_test_wrong_key_0000000000000', apiUrl: t.url, telemetry: { disabled: true } });
    await clerkError(() => wrongKey.users.getUserList(), 401, 'clerk_key_invalid');
  });
});
