// The main flows again through the unmodified @clerk/backend client pointed at Tessera.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient, type ClerkClient } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import { startTestApp, storeName, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { insertUserWithEmail } from '../helpers/fixtures.ts';

async function clerkError(p: Promise<unknown>): Promise<{ status: number; code: string; meta: Record<string, unknown> | undefined; retryAfter?: number }> {
  try {
    await p;
  } catch (err) {
    if (!isClerkAPIResponseError(err)) throw err;
    return { status: err.status, code: err.errors[0]!.code, meta: err.errors[0]!.meta as Record<string, unknown> | undefined };
  }
  throw new Error('expected a ClerkAPIResponseError');
}

describe(`invitations through @clerk/backend (${storeName})`, () => {
  let t: TestApp;
  let clerk: ClerkClient;
  before(async () => {
    t = await startTestApp({ env: { TESSERA_ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com' } });
    clerk = createClerkClient({ secretKey: TEST_SECRET_KEY, apiUrl: t.url, telemetry: { disabled: true } });
  });
  after(async () => { await t.close(); });

  it('createInvitation returns an Invitation resource', async () => {
    const inv = await clerk.invitations.createInvitation({
      emailAddress: 'SDK.One@Example.com', publicMetadata: { plan: 'pro' }, redirectUrl: 'https://app.example.com/welcome', expiresInDays: 7, notify: false,
    });
    assert.match(inv.constructor.name, /Invitation$/, 'parsed into the SDK resource class');
    assert.match(inv.id, /^inv_/);
    assert.equal(inv.emailAddress, 'sdk.one@example.com');
    assert.deepEqual(inv.publicMetadata, { plan: 'pro' });
    assert.equal(inv.status, 'pending');
    assert.match(inv.url!, /\/v1\/tickets\/accept\?ticket=/);
    assert.equal(typeof inv.createdAt, 'number');
  });

  it('createInvitationBulk returns a plain array', async () => {
    const list = await clerk.invitations.createInvitationBulk([{ emailAddress: 'bulk.a@example.com' }, { emailAddress: 'bulk.b@example.com', ignoreExisting: true }]);
    assert.ok(Array.isArray(list));
    assert.deepEqual(list.map((i) => i.emailAddress), ['bulk.a@example.com', 'bulk.b@example.com']);
  });

  it('getInvitationList pages with {data,totalCount} and filters by status', async () => {
    const all = await clerk.invitations.getInvitationList({ limit: 2 });
    assert.equal(all.data.length, 2);
    assert.equal(all.totalCount, 3);
    const first = all.data[0]!;
    const revoked = await clerk.invitations.revokeInvitation(first.id);
    assert.equal(revoked.status, 'revoked');
    assert.equal(revoked.revoked, true);
    const pending = await clerk.invitations.getInvitationList({ status: 'pending' });
    assert.equal(pending.totalCount, 2);
    assert.ok(pending.data.every((i) => i.status === 'pending'));
    const onlyRevoked = await clerk.invitations.getInvitationList({ status: 'revoked' });
    assert.deepEqual(onlyRevoked.data.map((i) => i.id), [first.id]);
    const found = await clerk.invitations.getInvitationList({ query: 'bulk.a' });
    assert.deepEqual(found.data.map((i) => i.emailAddress), ['bulk.a@example.com']);
  });

  it('surfaces errors as ClerkAPIResponseError with Clerk codes', async () => {
    await clerk.invitations.createInvitation({ emailAddress: 'dup.sdk@example.com', notify: false });
    const dup = await clerkError(clerk.invitations.createInvitation({ emailAddress: 'DUP.sdk@example.com' }));
    assert.equal(dup.status, 400);
    assert.equal(dup.code, 'duplicate_record');
    assert.deepEqual(dup.meta?.emailAddresses, ['dup.sdk@example.com']);

    await insertUserWithEmail(t, 'member.sdk@example.com');
    const exists = await clerkError(clerk.invitations.createInvitation({ emailAddress: 'member.sdk@example.com' }));
    assert.equal(exists.status, 422);
    assert.equal(exists.code, 'form_identifier_exists');

    const bad = await clerkError(clerk.invitations.createInvitation({ emailAddress: 'not an email' }));
    assert.equal(bad.code, 'form_param_format_invalid');

    const missing = await clerkError(clerk.invitations.revokeInvitation('inv_000000000000000000000000000'));
    assert.equal(missing.status, 404);
    assert.equal(missing.code, 'resource_not_found');

    const inv = await clerk.invitations.createInvitation({ emailAddress: 'twice.sdk@example.com' });
    await clerk.invitations.revokeInvitation(inv.id);
    const twice = await clerkError(clerk.invitations.revokeInvitation(inv.id));
    assert.equal(twice.code, 'invitation_already_revoked');

    const tooMany = await clerkError(clerk.invitations.createInvitationBulk(Array.from({ length: 11 }, (_, i) => ({ emailAddress: `many${i}@example.com` }))));
    assert.equal(tooMany.code, 'bulk_size_exceeded');

    const wrongKey = createClerkClient({ secretKey: 'sk_test_not_the_right_key_at_all', apiUrl: t.url, telemetry: { disabled: true } });
    const unauth = await clerkError(wrongKey.invitations.getInvitationList());
    assert.equal(unauth.status, 401);
    assert.equal(unauth.code, 'clerk_key_invalid');
  });

  it('deleteInvitation returns a DeletedObject', async () => {
    const inv = await clerk.invitations.createInvitation({ emailAddress: 'erase.sdk@example.com' });
    const del = await clerk.invitations.deleteInvitation(inv.id);
    assert.equal(del.id, inv.id);
    assert.equal(del.deleted, true);
  });
});
