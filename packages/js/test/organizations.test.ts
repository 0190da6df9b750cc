// Organization administration from the browser (the calls behind seed 001's page) and the
// invitations addressed to the signed-in user, through the SDK against a real server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isTesseraAPIError, Organization, OrganizationInvitation, OrganizationMembership, UserOrganizationInvitation, type TesseraEvent } from '../src/index.ts';
import { addMember, bapi, newOrg, newUser, signedInBrowser, startSdkApp, uniqueEmail, type TestApp } from './helpers/sdk.ts';

async function bapiOk(t: TestApp, method: 'PATCH', path: string, body: unknown): Promise<void> {
  const r = await bapi(t, method, path, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

async function rejectsWithCode(p: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isTesseraAPIError(e), String(e));
    assert.equal(e.status, status, JSON.stringify(e.errors));
    assert.equal(e.code, code);
    return true;
  });
}

describe('organizations through the SDK', () => {
  let t: TestApp;
  before(async () => {
    t = await startSdkApp();
  });
  after(async () => {
    await t.close();
  });

  test('an admin invites (legacy role names too), lists, and revokes', async () => {
    const admin = await newUser(t);
    const org = await newOrg(t, admin.id, 'Admin Org');
    const { tessera } = await signedInBrowser(t, admin);
    await tessera.setActive({ organization: org.id });
    const organization = tessera.organization;
    assert.ok(organization);
    const events: TesseraEvent[] = [];
    tessera.addListener((e) => events.push(e));

    const one = uniqueEmail('One');
    const invitation = await organization.inviteMember({ emailAddress: one, role: 'basic_member' });
    assert.ok(invitation instanceof OrganizationInvitation);
    assert.ok(invitation.id.startsWith('orginv_'));
    assert.equal(invitation.emailAddress, one.toLowerCase());
    assert.equal(invitation.role, 'org:member');
    assert.equal(invitation.roleName, 'Member');
    assert.equal(invitation.status, 'pending');
    assert.equal(invitation.organizationId, org.id);
    assert.ok(invitation.createdAt instanceof Date);
    assert.ok(invitation.expiresAt === null || invitation.expiresAt instanceof Date);
    assert.equal(invitation.publicInviterData?.userId, admin.id);
    assert.ok(events.some((e) => e.type === 'organizationInvitations' && e.organizationId === org.id));

    const [two, three] = [uniqueEmail('two'), uniqueEmail('three')];
    const bulk = await organization.inviteMembers({ emailAddresses: [two, three], role: 'admin' });
    assert.deepEqual(bulk.map((i) => [i.emailAddress, i.role]), [[two, 'org:admin'], [three, 'org:admin']]);

    const pending = await organization.getInvitations({ status: 'pending' });
    assert.equal(pending.totalCount, 3);
    assert.deepEqual(new Set(pending.data.map((i) => i.emailAddress)), new Set([one.toLowerCase(), two, three]));
    const page = await organization.getInvitations({ status: ['pending'], limit: 1, offset: 1 });
    assert.equal(page.data.length, 1);
    assert.equal(page.totalCount, 3);

    const revoked = await invitation.revoke();
    assert.equal(revoked, invitation, 'updated in place');
    assert.equal(invitation.status, 'revoked');
    assert.equal((await organization.getInvitations({ status: 'pending' })).totalCount, 2);
    assert.equal((await organization.getInvitations({ status: 'revoked' })).data[0]?.id, invitation.id);
    assert.equal((await organization.getInvitations()).totalCount, 3, 'every status by default');
    await rejectsWithCode(invitation.revoke(), 404, 'organization_invitation_not_pending');

    // A second pending invitation to the same address is refused, naming it.
    await assert.rejects(organization.inviteMember({ emailAddress: two, role: 'org:member' }), (e: unknown) => {
      assert.ok(isTesseraAPIError(e));
      assert.equal(e.code, 'duplicate_record');
      assert.deepEqual(e.errors[0]?.meta.emailAddresses, [two]);
      return true;
    });

    const members = await organization.getMemberships();
    assert.equal(members.totalCount, 1);
    assert.ok(members.data[0] instanceof OrganizationMembership);
    assert.equal(members.data[0]?.role, 'org:admin');
    assert.equal(members.data[0]?.publicUserData.userId, admin.id);
    assert.equal(members.data[0]?.publicUserData.identifier, admin.email);
    assert.equal(members.data[0]?.organization.id, org.id);
  });

  test('a member who is not an admin gets a typed 403', async () => {
    const admin = await newUser(t);
    const org = await newOrg(t, admin.id);
    const member = await newUser(t);
    await addMember(t, org.id, member.id, 'org:member');
    const { tessera } = await signedInBrowser(t, member);
    await tessera.setActive({ organization: org.id });
    const organization = tessera.organization;
    assert.ok(organization);
    assert.equal(tessera.membership?.role, 'org:member');
    await rejectsWithCode(organization.inviteMember({ emailAddress: uniqueEmail(), role: 'org:member' }), 403, 'not_an_admin_in_organization');
    await rejectsWithCode(organization.inviteMembers({ emailAddresses: [uniqueEmail()], role: 'org:member' }), 403, 'not_an_admin_in_organization');
    await rejectsWithCode(organization.getInvitations(), 403, 'not_an_admin_in_organization');
    // Members may list the members (org:sys_memberships:read).
    assert.equal((await organization.getMemberships()).totalCount, 2);
    assert.equal((await organization.getMemberships({ role: 'org:admin' })).totalCount, 1);
    // …and the roles, for an invite form.
    const roles = await organization.getRoles();
    assert.deepEqual(roles.data.map((r) => r.key).sort(), ['org:admin', 'org:member']);
    assert.ok(roles.data.find((r) => r.key === 'org:admin')!.permissions.includes('org:sys_memberships:manage'));
  });

  test("declining one of the user's invitations: it ends revoked, no membership", async () => {
    const admin = await newUser(t);
    const org = await newOrg(t, admin.id, 'Decline Me');
    const invitee = await newUser(t);
    const adminBrowser = await signedInBrowser(t, admin);
    await adminBrowser.tessera.setActive({ organization: org.id });
    await adminBrowser.tessera.organization!.inviteMember({ emailAddress: invitee.email, role: 'org:member' });
    const { tessera } = await signedInBrowser(t, invitee);
    const events: TesseraEvent[] = [];
    tessera.addListener((e) => events.push(e));
    const [inv] = (await tessera.user!.getOrganizationInvitations()).data;
    assert.ok(inv);
    const declined = await inv.decline();
    assert.equal(declined.status, 'revoked');
    assert.ok(events.some((e) => e.type === 'userInvitations'));
    assert.equal((await tessera.user!.getOrganizationInvitations()).totalCount, 0);
    assert.equal((await tessera.user!.getOrganizationMemberships()).totalCount, 0);
    await rejectsWithCode(inv.accept(), 400, 'organization_invitation_revoked_code');
  });

  test("the user's invitations: list and accept (the organization becomes active)", async () => {
    const admin = await newUser(t);
    const org = await newOrg(t, admin.id, 'Accept Me');
    const invitee = await newUser(t);
    const adminBrowser = await signedInBrowser(t, admin);
    await adminBrowser.tessera.setActive({ organization: org.id });
    await adminBrowser.tessera.organization!.inviteMember({ emailAddress: invitee.email, role: 'org:admin' });

    const { tessera } = await signedInBrowser(t, invitee);
    assert.equal(tessera.organization === null, true, 'no organization yet'); // (not narrowing the getter)
    const events: TesseraEvent[] = [];
    tessera.addListener((e) => events.push(e));
    const list = await tessera.user!.getOrganizationInvitations();
    assert.equal(list.totalCount, 1);
    const inv = list.data[0];
    assert.ok(inv instanceof UserOrganizationInvitation);
    assert.equal(inv.publicOrganizationData.id, org.id);
    assert.equal(inv.publicOrganizationData.name, 'Accept Me');
    assert.equal(inv.role, 'org:admin');
    assert.equal(inv.status, 'pending');
    assert.equal(inv.emailAddress, invitee.email);

    const accepted = await inv.accept();
    assert.equal(accepted.status, 'accepted');
    assert.equal(tessera.organization?.id, org.id, 'the accepted organization is active');
    assert.equal(tessera.membership?.role, 'org:admin');
    assert.ok(events.some((e) => e.type === 'userInvitations'));
    assert.ok(events.some((e) => e.type === 'userMemberships'));
    assert.equal((await tessera.user!.getOrganizationInvitations()).totalCount, 0);
    assert.equal((await tessera.user!.getOrganizationInvitations({ status: 'accepted' })).totalCount, 1);
    const memberships = await tessera.user!.getOrganizationMemberships();
    assert.deepEqual(memberships.data.map((m) => m.organization.id), [org.id]);
    // Accepting twice: the invitation is no longer pending.
    await assert.rejects(inv.accept(), (e: unknown) => isTesseraAPIError(e) && e.status >= 400 && e.status < 500);
  });

  test('createOrganization: the user becomes its admin; setActive makes it the active one; refusals are TesseraAPIErrors', async () => {
    const user = await newUser(t);
    const { tessera } = await signedInBrowser(t, user);
    const events: TesseraEvent[] = [];
    tessera.addListener((e) => events.push(e));
    const made = await tessera.createOrganization({ name: 'Made By SDK', slug: 'made-by-sdk' });
    assert.ok(made instanceof Organization);
    assert.ok(made.id.startsWith('org_'));
    assert.equal(made.name, 'Made By SDK');
    assert.equal(made.slug, 'made-by-sdk');
    assert.equal(made.createdBy, user.id);
    assert.ok(events.some((e) => e.type === 'userMemberships'));
    assert.ok(tessera.organization === null, 'not active by itself');
    await tessera.setActive({ organization: made.id });
    assert.equal((tessera.organization as Organization | null)?.id, made.id);
    assert.equal(tessera.membership?.role, 'org:admin');
    await rejectsWithCode(tessera.createOrganization({ name: 'Again', slug: 'made-by-sdk' }), 422, 'form_identifier_exists');
    await bapiOk(t, 'PATCH', `/v1/users/${user.id}`, { create_organization_enabled: false });
    await rejectsWithCode(tessera.createOrganization({ name: 'Not allowed' }), 403, 'organization_creation_not_allowed');
  });
});
