// Organizations and memberships through the unmodified @clerk/backend client, pointed at a real
// listening server: the calls a Clerk user's code makes after changing only apiUrl, and the errors
// it gets back as ClerkAPIResponseError.
process.env.CLERK_TELEMETRY_DISABLED = '1';

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient, type ClerkClient, type Organization, type OrganizationMembership } from '@clerk/backend';
import { ClerkAPIResponseError } from '@clerk/backend/errors';
import { startTestApp, storeName, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { clerkError } from '../helpers/clerk-sdk.ts';
import { ADMIN_PERMISSIONS, MEMBER_PERMISSIONS, uniqueEmail } from './organizations.helpers.ts';


describe(`organizations and memberships through @clerk/backend (${storeName})`, () => {
  let t: TestApp;
  let clerk: ClerkClient;
  const tag = `sdk${process.pid}`;
  before(async () => {
    t = await startTestApp();
    clerk = createClerkClient({ secretKey: TEST_SECRET_KEY, apiUrl: t.url, telemetry: { disabled: true } });
  });
  after(async () => { await t.close(); });

  const newUser = (firstName: string) =>
    clerk.users.createUser({ emailAddress: [uniqueEmail(firstName)], firstName, lastName: 'Sdk', skipPasswordRequirement: true });

  it('createOrganization → getOrganization (by id and slug) → getOrganizationList → updateOrganization → metadata → deleteOrganization', async () => {
    const owner = await newUser('Owner');
    const org = await clerk.organizations.createOrganization({
      name: `Acme ${tag}`, createdBy: owner.id, maxAllowedMemberships: 5, publicMetadata: { plan: 'pro' }, privateMetadata: { crm: 1 },
    });
    assert.match(org.id, /^org_/);
    assert.equal(org.name, `Acme ${tag}`);
    assert.equal(org.slug, `acme-${tag}`);
    assert.equal(org.createdBy, owner.id);
    assert.equal(org.maxAllowedMemberships, 5);
    assert.equal(org.adminDeleteEnabled, true);
    assert.equal(org.hasImage, false);
    assert.equal(org.imageUrl, '');
    assert.deepEqual(org.publicMetadata, { plan: 'pro' });
    assert.deepEqual(org.privateMetadata, { crm: 1 });
    assert.equal(typeof org.createdAt, 'number');

    const byId = await clerk.organizations.getOrganization({ organizationId: org.id, includeMembersCount: true });
    assert.equal(byId.membersCount, 1);
    const bySlug = await clerk.organizations.getOrganization({ slug: org.slug });
    assert.equal(bySlug.id, org.id);
    assert.equal(bySlug.membersCount, undefined);

    const second = await clerk.organizations.createOrganization({ name: `Beta ${tag}`, slug: `beta-${tag}` });
    const list = await clerk.organizations.getOrganizationList({ query: tag, orderBy: '-name', includeMembersCount: true, limit: 10 });
    assert.equal(list.totalCount, 2);
    assert.deepEqual(list.data.map((o: Organization) => [o.slug, o.membersCount]), [[`beta-${tag}`, 0], [`acme-${tag}`, 1]]);
    const filtered = await clerk.organizations.getOrganizationList({ organizationId: [second.id], limit: 1 });
    assert.deepEqual(filtered.data.map((o: Organization) => o.id), [second.id]);

    const updated = await clerk.organizations.updateOrganization(org.id, { name: `Acme Renamed ${tag}`, maxAllowedMemberships: 0, adminDeleteEnabled: false });
    assert.equal(updated.name, `Acme Renamed ${tag}`);
    assert.equal(updated.maxAllowedMemberships, 0);
    assert.equal(updated.adminDeleteEnabled, false);
    assert.deepEqual(updated.publicMetadata, { plan: 'pro' });

    const merged = await clerk.organizations.updateOrganizationMetadata(org.id, { publicMetadata: { plan: null, seats: { max: 9 } } });
    assert.deepEqual(merged.publicMetadata, { seats: { max: 9 } });
    assert.deepEqual(merged.privateMetadata, { crm: 1 });
    const replaced = await clerk.organizations.replaceOrganizationMetadata(org.id, { privateMetadata: { fresh: true } });
    assert.deepEqual(replaced.privateMetadata, { fresh: true });
    assert.deepEqual(replaced.publicMetadata, { seats: { max: 9 } });

    // The deprecated metadata path of updateOrganization: PATCH for the rest, then PUT …/metadata.
    const warn = console.warn;
    console.warn = () => {};
    try {
      const legacy = await clerk.organizations.updateOrganization(org.id, { slug: `acme-legacy-${tag}`, publicMetadata: { via: 'update' } });
      assert.equal(legacy.slug, `acme-legacy-${tag}`);
      assert.deepEqual(legacy.publicMetadata, { via: 'update' });
    } finally {
      console.warn = warn;
    }

    // Typed as Organization, parsed as a DeletedObject at runtime (the reply has object + deleted).
    const deleted = await clerk.organizations.deleteOrganization(org.id);
    assert.equal(deleted.id, org.id);
    assert.equal(deleted.slug, `acme-legacy-${tag}`);
    assert.ok('deleted' in deleted && deleted.deleted === true);
    await clerkError(() => clerk.organizations.getOrganization({ organizationId: org.id }), 404, 'resource_not_found');
  });

  it('memberships: create → list → update role → update metadata → user list → instance list → delete', async () => {
    const owner = await newUser('Olive');
    const org = await clerk.organizations.createOrganization({ name: `Members ${tag}`, createdBy: owner.id });
    const u = await newUser('Mason');

    const m: OrganizationMembership = await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: u.id, role: 'org:member' });
    assert.match(m.id, /^orgmem_/);
    assert.equal(m.role, 'org:member');
    assert.deepEqual(m.permissions, MEMBER_PERMISSIONS);
    assert.equal(m.organization.id, org.id);
    assert.equal(m.organization.name, org.name);
    assert.equal(m.publicUserData?.userId, u.id);
    assert.equal(m.publicUserData?.firstName, 'Mason');
    assert.equal(m.publicUserData?.identifier, u.primaryEmailAddress?.emailAddress);
    assert.equal(m.publicUserData?.hasImage, false);
    assert.deepEqual(m.publicMetadata, {});

    const list = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, orderBy: '+created_at', limit: 10 });
    assert.equal(list.totalCount, 2);
    assert.deepEqual(list.data.map((x: OrganizationMembership) => [x.publicUserData?.userId, x.role]), [[owner.id, 'org:admin'], [u.id, 'org:member']]);
    const admins = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, role: ['org:admin'] });
    assert.deepEqual(admins.data.map((x: OrganizationMembership) => x.publicUserData?.userId), [owner.id]);
    const found = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, query: 'mason', userId: [u.id] });
    assert.equal(found.totalCount, 1);

    const promoted = await clerk.organizations.updateOrganizationMembership({ organizationId: org.id, userId: u.id, role: 'org:admin' });
    assert.equal(promoted.role, 'org:admin');
    assert.deepEqual(promoted.permissions, ADMIN_PERMISSIONS);

    const withMeta = await clerk.organizations.updateOrganizationMembershipMetadata({ organizationId: org.id, userId: u.id, publicMetadata: { dept: 'ops' }, privateMetadata: { note: 1 } });
    assert.deepEqual(withMeta.publicMetadata, { dept: 'ops' });
    assert.deepEqual(withMeta.privateMetadata, { note: 1 });

    const mine = await clerk.users.getOrganizationMembershipList({ userId: u.id, limit: 5 });
    assert.equal(mine.totalCount, 1);
    assert.equal(mine.data[0]!.organization.id, org.id);
    assert.equal(mine.data[0]!.role, 'org:admin');

    const instance = await clerk.organizations.getInstanceOrganizationMembershipList({ limit: 1 });
    assert.ok(instance.totalCount >= 2);
    assert.equal(instance.data[0]!.id, m.id, 'newest first');

    const removed = await clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: u.id });
    assert.equal(removed.id, m.id);
    assert.equal(removed.role, 'org:admin');
    assert.equal(removed.organization.id, org.id);
    assert.equal((await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id })).totalCount, 1);
  });

  it('errors arrive as ClerkAPIResponseError with Clerk statuses and codes', async () => {
    const owner = await newUser('Err');
    const org = await clerk.organizations.createOrganization({ name: `Errors ${tag}`, slug: `errors-${tag}`, createdBy: owner.id, maxAllowedMemberships: 2 });

    const taken = await clerkError(() => clerk.organizations.createOrganization({ name: 'Dup', slug: `errors-${tag}` }), 422, 'form_identifier_exists');
    assert.equal(taken.errors[0]?.meta?.paramName, 'slug');
    const badName = await clerkError(() => clerk.organizations.createOrganization({ name: '<img src=x>' }), 422, 'form_param_value_invalid');
    assert.equal(badName.errors[0]?.meta?.paramName, 'name');
    await clerkError(() => clerk.organizations.createOrganization({ name: 'Ghost', createdBy: 'user_ghost' }), 400, 'organization_creator_not_found');
    await clerkError(() => clerk.organizations.getOrganization({ slug: `missing-${tag}` }), 404, 'resource_not_found');

    await clerkError(
      () => clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: owner.id, role: 'org:member' }),
      400, 'already_a_member_in_organization',
    );
    const second = await newUser('Second');
    await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: second.id, role: 'basic_member' });
    await clerkError(
      async () => clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: (await newUser('Third')).id, role: 'org:member' }),
      403, 'organization_membership_quota_exceeded',
    );
    await clerkError(
      () => clerk.organizations.updateOrganizationMembership({ organizationId: org.id, userId: owner.id, role: 'org:member' }),
      400, 'organization_minimum_permissions_needed',
    );
    await clerkError(() => clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: owner.id }), 400, 'organization_minimum_permissions_needed');
    const badRole = await clerkError(
      () => clerk.organizations.updateOrganizationMembership({ organizationId: org.id, userId: second.id, role: 'org:wizard' }),
      422, 'form_param_value_invalid',
    );
    assert.equal(badRole.errors[0]?.meta?.paramName, 'role');
  });
});
