// The main role and permission flows through the unmodified @clerk/backend client
// (organizationRoles / organizationPermissions), pointed at a real listening server. The SDK does
// not export its Role / Permission / DeletedObject classes, so parsing is checked through the
// camelCase fields only their fromJSON sets (createdAt, isCreatorEligible, …).
process.env.CLERK_TELEMETRY_DISABLED = '1';

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient, type ClerkClient } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import { startTestApp, storeName, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { clerkError } from '../helpers/clerk-sdk.ts';
import { unique } from './roles.fixtures.ts';


describe(`roles and permissions through @clerk/backend (${storeName})`, () => {
  let t: TestApp;
  let clerk: ClerkClient;
  before(async () => {
    t = await startTestApp();
    clerk = createClerkClient({ secretKey: TEST_SECRET_KEY, apiUrl: t.url, telemetry: { disabled: true } });
  });
  after(async () => { await t.close(); });

  it('permissions: create, get, list, update, delete', async () => {
    const key = `org:${unique('sdk_posts')}:read`;
    const created = await clerk.organizationPermissions.createOrganizationPermission({ name: 'Read posts', key, description: 'Posts' });
    assert.match(created.id, /^perm_/);
    assert.equal(created.key, key);
    assert.equal(created.description, 'Posts');
    assert.equal(typeof created.createdAt, 'number');
    assert.equal((await clerk.organizationPermissions.getOrganizationPermission(created.id)).name, 'Read posts');

    const list = await clerk.organizationPermissions.getOrganizationPermissionList({ query: 'sdk_posts', orderBy: '-created_at', limit: 10 });
    assert.equal(list.totalCount, 1);
    assert.equal(list.data[0]!.id, created.id);
    assert.equal(list.data[0]!.updatedAt, created.updatedAt);
    const system = await clerk.organizationPermissions.getOrganizationPermissionList({ query: 'org:sys_', limit: 100 });
    assert.equal(system.totalCount, 9);

    const updated = await clerk.organizationPermissions.updateOrganizationPermission({ permissionId: created.id, name: 'Read all posts' });
    assert.equal(updated.name, 'Read all posts');
    assert.equal(updated.key, key);
    await clerk.organizationPermissions.createOrganizationPermission({ name: 'Dup', key }).then(
      () => assert.fail('a duplicate key was accepted'),
      (err: unknown) => assert.ok(isClerkAPIResponseError(err) && err.errors[0]?.code === 'form_identifier_exists'),
    );
    await clerkError(() => clerk.organizationPermissions.createOrganizationPermission({ name: 'Sys', key: 'org:sys_x:read' }), 403, 'organization_system_permission_not_modifiable');

    const deleted = await clerk.organizationPermissions.deleteOrganizationPermission(created.id);
    assert.equal(deleted.object, 'permission');
    assert.equal(deleted.id, created.id);
    assert.equal(deleted.deleted, true);
    await clerkError(() => clerk.organizationPermissions.getOrganizationPermission(created.id), 404, 'resource_not_found');
  });

  it('roles: create with permissions, get, list, update, assign, remove, delete', async () => {
    const posts = await clerk.organizationPermissions.createOrganizationPermission({ name: 'Edit posts', key: `org:${unique('sdk_posts')}:edit` });
    const system = await clerk.organizationPermissions.getOrganizationPermissionList({ query: 'org:sys_memberships:read' });
    const readMembers = system.data[0]!;
    const key = `org:${unique('sdk_editor')}`;
    const role = await clerk.organizationRoles.createOrganizationRole({ name: 'Editor', key, description: 'Edits', permissions: [posts.id] });
    assert.match(role.id, /^role_/);
    assert.equal(role.key, key);
    assert.equal(role.isCreatorEligible, false);
    assert.equal(typeof role.permissions[0]!.createdAt, 'number');
    assert.equal(typeof role.createdAt, 'number');
    assert.deepEqual(role.permissions.map((p) => p.key), [posts.key]);

    const got = await clerk.organizationRoles.getOrganizationRole(role.id);
    assert.equal(got.name, 'Editor');
    const list = await clerk.organizationRoles.getOrganizationRoleList({ query: key, orderBy: 'key' });
    assert.equal(list.totalCount, 1);
    assert.equal(list.data[0]!.id, role.id);
    const all = await clerk.organizationRoles.getOrganizationRoleList({ limit: 500 });
    const admin = all.data.find((r) => r.key === 'org:admin');
    assert.ok(admin);
    assert.equal(admin.isCreatorEligible, true);

    const renamed = await clerk.organizationRoles.updateOrganizationRole({ organizationRoleId: role.id, name: 'Senior editor', key: `${key}_2` });
    assert.equal(renamed.name, 'Senior editor');
    assert.equal(renamed.key, `${key}_2`);
    const assigned = await clerk.organizationRoles.assignPermissionToOrganizationRole({ organizationRoleId: role.id, permissionId: readMembers.id });
    assert.deepEqual(assigned.permissions.map((p) => p.id).sort(), [posts.id, readMembers.id].sort());
    await clerkError(
      () => clerk.organizationRoles.assignPermissionToOrganizationRole({ organizationRoleId: role.id, permissionId: readMembers.id }),
      409, 'organization_role_permission_association_exists',
    );
    const removed = await clerk.organizationRoles.removePermissionFromOrganizationRole({ organizationRoleId: role.id, permissionId: posts.id });
    assert.deepEqual(removed.permissions.map((p) => p.id), [readMembers.id]);

    await clerkError(() => clerk.organizationRoles.createOrganizationRole({ name: 'Bad', key: 'editor' }), 422, 'form_param_format_invalid');
    await clerkError(() => clerk.organizationRoles.updateOrganizationRole({ organizationRoleId: admin.id, key: 'org:boss' }), 403, 'organization_system_role_not_modifiable');
    await clerkError(() => clerk.organizationRoles.deleteOrganizationRole(admin.id), 422, 'organization_role_default_creator_role');

    const deleted = await clerk.organizationRoles.deleteOrganizationRole(role.id);
    assert.equal(deleted.object, 'role');
    assert.equal(deleted.id, role.id);
    assert.equal(deleted.deleted, true);
    await clerkError(() => clerk.organizationRoles.getOrganizationRole(role.id), 404, 'resource_not_found');
  });
});
