// Organization invitations through the unmodified @clerk/backend client, pointed at a real
// listening server: the calls a Clerk user's code makes after changing only apiUrl, and the errors
// it gets back as ClerkAPIResponseError.
process.env.CLERK_TELEMETRY_DISABLED = '1';

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient, type ClerkClient, type OrganizationInvitation } from '@clerk/backend';
import { ClerkAPIResponseError } from '@clerk/backend/errors';
import { startTestApp, storeName, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { clerkError } from '../helpers/clerk-sdk.ts';
import { MISSING_ORG, NO_INVITATION_LIMITS, uniqueEmail } from './org-invitations.helpers.ts';


describe(`organization invitations through @clerk/backend (${storeName})`, () => {
  let t: TestApp;
  let clerk: ClerkClient;
  let orgId: string;
  let adminId: string;
  let memberId: string;
  before(async () => {
    t = await startTestApp({ env: { TESSERA_ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com', ...NO_INVITATION_LIMITS } });
    clerk = createClerkClient({ secretKey: TEST_SECRET_KEY, apiUrl: t.url, telemetry: { disabled: true } });
    const admin = await clerk.users.createUser({ emailAddress: [uniqueEmail('sdkadmin')], firstName: 'Ada', lastName: 'Admin', skipPasswordRequirement: true });
    const member = await clerk.users.createUser({ emailAddress: [uniqueEmail('sdkmember')], skipPasswordRequirement: true });
    adminId = admin.id;
    memberId = member.id;
    const org = await clerk.organizations.createOrganization({ name: `Sdk Org ${process.pid}`, createdBy: adminId });
    orgId = org.id;
    await clerk.organizations.createOrganizationMembership({ organizationId: orgId, userId: memberId, role: 'org:member' });
  });
  after(async () => { await t.close(); });

  it('createOrganizationInvitation → getOrganizationInvitation → getOrganizationInvitationList → revokeOrganizationInvitation', async () => {
    const inv = await clerk.organizations.createOrganizationInvitation({
      organizationId: orgId,
      emailAddress: uniqueEmail('Sdk').toUpperCase(),
      role: 'org:admin',
      inviterUserId: adminId,
      redirectUrl: 'https://app.example.com/accept',
      publicMetadata: { team: 'ops' },
      privateMetadata: { crm: 1 },
      expiresInDays: 7,
    });
    assert.match(inv.id, /^orginv_/);
    assert.equal(inv.emailAddress, inv.emailAddress.toLowerCase());
    assert.equal(inv.role, 'org:admin');
    assert.equal(inv.roleName, 'Admin');
    assert.equal(inv.organizationId, orgId);
    assert.equal(inv.status, 'pending');
    assert.deepEqual(inv.publicMetadata, { team: 'ops' });
    assert.deepEqual(inv.privateMetadata, { crm: 1 });
    assert.match(inv.url!, /\/v1\/tickets\/accept\?ticket=tkt_oinv_/);
    assert.ok(Math.abs(inv.expiresAt - inv.createdAt - 7 * 86_400_000) < 1000);

    const got = await clerk.organizations.getOrganizationInvitation({ organizationId: orgId, invitationId: inv.id });
    assert.equal(got.id, inv.id);
    assert.equal(got.url, null);
    assert.equal(got.roleName, 'Admin');

    const second = await clerk.organizations.createOrganizationInvitation({ organizationId: orgId, emailAddress: uniqueEmail('sdk2'), role: 'basic_member' });
    assert.equal(second.role, 'org:member');
    const list = await clerk.organizations.getOrganizationInvitationList({ organizationId: orgId, status: ['pending'], limit: 10 });
    assert.equal(list.totalCount, 2);
    assert.deepEqual(list.data.map((i: OrganizationInvitation) => i.id), [second.id, inv.id]);

    // Without requestingUserId the SDK sends no body at all.
    const revoked = await clerk.organizations.revokeOrganizationInvitation({ organizationId: orgId, invitationId: inv.id });
    assert.equal(revoked.status, 'revoked');
    const byAdmin = await clerk.organizations.revokeOrganizationInvitation({ organizationId: orgId, invitationId: second.id, requestingUserId: adminId });
    assert.equal(byAdmin.status, 'revoked');
    const after = await clerk.organizations.getOrganizationInvitationList({ organizationId: orgId, status: ['revoked'] });
    assert.deepEqual(after.data.map((i: OrganizationInvitation) => i.id).sort(), [inv.id, second.id].sort());
    const pending = await clerk.organizations.getOrganizationInvitationList({ organizationId: orgId, status: ['pending'] });
    assert.equal(pending.totalCount, 0);
  });

  it('createOrganizationInvitationBulk answers {data,totalCount}, all or nothing', async () => {
    const emails = [uniqueEmail('bulk'), uniqueEmail('bulk'), uniqueEmail('bulk')];
    const res = await clerk.organizations.createOrganizationInvitationBulk(orgId, emails.map((emailAddress) => ({ emailAddress, role: 'org:member', inviterUserId: adminId })));
    assert.equal(res.totalCount, 3);
    assert.deepEqual(res.data.map((i: OrganizationInvitation) => i.emailAddress), emails);
    assert.ok(res.data.every((i: OrganizationInvitation) => i.url?.includes('ticket=')));
    const err = await clerkError(
      () => clerk.organizations.createOrganizationInvitationBulk(orgId, [{ emailAddress: uniqueEmail('bulk'), role: 'org:member' }, { emailAddress: emails[0]!, role: 'org:member' }]),
      400,
      'duplicate_record',
    );
    assert.deepEqual(err.errors[0]?.meta?.emailAddresses, [emails[0]]);
  });

  it("users.getOrganizationInvitationList lists the user's invitations with publicOrganizationData", async () => {
    const user = await clerk.users.createUser({ emailAddress: [uniqueEmail('sdkuser')], skipPasswordRequirement: true });
    const other = await clerk.organizations.createOrganization({ name: `Other ${process.pid}` });
    const inv = await clerk.organizations.createOrganizationInvitation({ organizationId: other.id, emailAddress: user.emailAddresses[0]!.emailAddress, role: 'org:member' });
    const list = await clerk.users.getOrganizationInvitationList({ userId: user.id, status: 'pending' });
    assert.equal(list.totalCount, 1);
    const [item] = list.data;
    assert.equal(item!.id, inv.id);
    assert.equal(item!.publicOrganizationData?.id, other.id);
    assert.equal(item!.publicOrganizationData?.name, other.name);
    assert.equal(item!.publicOrganizationData?.slug, other.slug);
  });

  it('surfaces errors as ClerkAPIResponseError with codes and meta', async () => {
    const email = uniqueEmail('err');
    const first = await clerk.organizations.createOrganizationInvitation({ organizationId: orgId, emailAddress: email, role: 'org:member' });
    const dup = await clerkError(() => clerk.organizations.createOrganizationInvitation({ organizationId: orgId, emailAddress: email, role: 'org:member' }), 400, 'duplicate_record');
    assert.deepEqual(dup.errors[0]?.meta?.emailAddresses, [email]);
    const role = await clerkError(() => clerk.organizations.createOrganizationInvitation({ organizationId: orgId, emailAddress: uniqueEmail(), role: 'org:ghost' }), 422, 'form_param_value_invalid');
    assert.equal(role.errors[0]?.meta?.paramName, 'role');
    await clerkError(() => clerk.organizations.createOrganizationInvitation({ organizationId: orgId, emailAddress: uniqueEmail(), role: 'org:member', inviterUserId: memberId }), 403, 'not_an_admin_in_organization');
    await clerkError(() => clerk.organizations.createOrganizationInvitation({ organizationId: MISSING_ORG, emailAddress: uniqueEmail(), role: 'org:member' }), 404, 'resource_not_found');
    await clerkError(() => clerk.organizations.revokeOrganizationInvitation({ organizationId: orgId, invitationId: first.id, requestingUserId: memberId }), 403, 'not_an_admin_in_organization');
    await clerk.organizations.revokeOrganizationInvitation({ organizationId: orgId, invitationId: first.id });
    await clerkError(() => clerk.organizations.revokeOrganizationInvitation({ organizationId: orgId, invitationId: first.id }), 404, 'organization_invitation_not_pending');
    await clerkError(() => clerk.organizations.getOrganizationInvitation({ organizationId: orgId, invitationId: 'orginv_0000000000000000000000missing' }), 404, 'resource_not_found');
    const limited = await clerk.organizations.createOrganization({ name: `Limited ${process.pid}`, createdBy: adminId, maxAllowedMemberships: 1 });
    await clerkError(() => clerk.organizations.createOrganizationInvitation({ organizationId: limited.id, emailAddress: uniqueEmail(), role: 'org:member' }), 403, 'organization_membership_quota_exceeded');
  });
});
