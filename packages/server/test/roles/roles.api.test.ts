// Organization roles and permissions over HTTP: every endpoint, every error code (asserted by
// code, not text), the system-role and system-permission protections, and the creator role's
// minimum permissions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { bapi } from '../helpers/http.ts';
import type { PermissionJson, RoleJson } from '../../src/features/roles/role.schemas.ts';
import { CREATOR_ROLE_MIN_PERMISSIONS } from '../../src/features/roles/role.service.ts';
import { auditActions, createPermission, createRole, fails, ok, seeded, unique } from './roles.fixtures.ts';

type List<T> = { data: T[]; total_count: number };

const SYSTEM_PERMISSION_KEYS = [
  'org:sys_billing:manage', 'org:sys_billing:read', 'org:sys_domains:manage', 'org:sys_domains:read', 'org:sys_entconns:manage',
  'org:sys_memberships:manage', 'org:sys_memberships:read', 'org:sys_profile:delete', 'org:sys_profile:manage',
];

describe(`organization roles and permissions over HTTP (${storeName})`, () => {
  let t: TestApp;
  let admin: RoleJson;
  let member: RoleJson;
  let perm: Map<string, PermissionJson>;
  const permId = (key: string) => {
    const p = perm.get(key);
    assert.ok(p, key);
    return p.id;
  };

  before(async () => {
    t = await startTestApp();
    const s = await seeded(t);
    admin = s.roles.get('org:admin')!;
    member = s.roles.get('org:member')!;
    perm = s.permissions;
  });
  after(async () => { await t.close(); });

  describe('seeded data', () => {
    it('lists org:admin (creator role, every system permission) and org:member (read members and billing)', () => {
      assert.equal(admin.object, 'role');
      assert.match(admin.id, /^role_[0-9A-Za-z]{27}$/);
      assert.deepEqual(admin.permissions.map((p) => p.key), SYSTEM_PERMISSION_KEYS);
      assert.equal(admin.is_creator_eligible, true);
      assert.equal(admin.name, 'Admin');
      assert.equal(typeof admin.created_at, 'number');
      assert.deepEqual(member.permissions.map((p) => p.key), ['org:sys_billing:read', 'org:sys_memberships:read']);
      assert.equal(member.is_creator_eligible, false);
    });

    it('lists the 9 system permissions with type "system"', async () => {
      const list = await ok<List<PermissionJson>>(t, 'GET', '/v1/organization_permissions?query=org:sys_&limit=100');
      assert.equal(list.total_count, 9);
      assert.deepEqual(list.data.map((p) => p.key).sort(), SYSTEM_PERMISSION_KEYS);
      for (const p of list.data) {
        assert.equal(p.object, 'permission');
        assert.equal(p.type, 'system');
        assert.match(p.id, /^perm_/);
      }
    });
  });

  describe('roles', () => {
    it('creates a custom role with permissions (ids), sorted by key, and audits it', async () => {
      const key = `org:${unique('editor')}`;
      const role = await createRole(t, {
        name: 'Editor', key, description: 'Edits posts',
        permissions: [permId('org:sys_memberships:read'), permId('org:sys_memberships:manage'), permId('org:sys_memberships:read')],
      });
      assert.equal(role.object, 'role');
      assert.match(role.id, /^role_/);
      assert.equal(role.key, key);
      assert.equal(role.name, 'Editor');
      assert.equal(role.description, 'Edits posts');
      assert.deepEqual(role.permissions.map((p) => p.key), ['org:sys_memberships:manage', 'org:sys_memberships:read']);
      assert.equal(role.is_creator_eligible, false);
      assert.equal(role.created_at, role.updated_at);
      assert.deepEqual(await ok<RoleJson>(t, 'GET', `/v1/organization_roles/${role.id}`), role);
      assert.deepEqual(await auditActions(t.deps.db, role.id), ['role.created']);

      const bare = await createRole(t, { name: 'Viewer', key: `org:${unique('viewer')}`, description: null, permissions: null, include_in_initial_role_set: true });
      assert.deepEqual(bare.permissions, []);
      assert.equal(bare.description, '');
      const eligible = await createRole(t, { name: 'Owner', key: `org:${unique('owner')}`, permissions: CREATOR_ROLE_MIN_PERMISSIONS.map(permId) });
      assert.equal(eligible.is_creator_eligible, true);
    });

    it('refuses a malformed key (422 form_param_format_invalid), a taken one (422 form_identifier_exists) and other bad bodies', async () => {
      for (const key of ['admin', 'org:', 'org:Admin', 'org:a-b', 'org:a:b', 'Org:abc', `org:${'x'.repeat(65)}`]) {
        const meta = await fails(t, 'POST', '/v1/organization_roles', { name: 'X', key }, 422, 'form_param_format_invalid');
        assert.equal(meta.param_name, 'key', key);
      }
      const key = `org:${unique('dup')}`;
      await createRole(t, { name: 'First', key });
      assert.equal((await fails(t, 'POST', '/v1/organization_roles', { name: 'Second', key }, 422, 'form_identifier_exists')).param_name, 'key');
      await fails(t, 'POST', '/v1/organization_roles', { name: 'Admin again', key: 'org:admin' }, 422, 'form_identifier_exists');
      assert.equal((await fails(t, 'POST', '/v1/organization_roles', { key: `org:${unique('k')}` }, 422, 'form_param_missing')).param_name, 'name');
      assert.equal((await fails(t, 'POST', '/v1/organization_roles', { name: 'X' }, 422, 'form_param_missing')).param_name, 'key');
      await fails(t, 'POST', '/v1/organization_roles', { name: '   ', key: `org:${unique('k')}` }, 422, 'form_param_nil');
      const missing = await fails(t, 'POST', '/v1/organization_roles', { name: 'X', key: `org:${unique('k')}`, permissions: ['perm_nope'] }, 404, 'resource_not_found');
      assert.equal(missing.param_name, 'permissions');
      await fails(t, 'POST', '/v1/organization_roles', { name: 'X', key: `org:${unique('k')}`, include_in_initial_role_set: false }, 422, 'form_param_value_invalid');
      await fails(t, 'POST', '/v1/organization_roles', { name: 'X', key: `org:${unique('k')}`, colour: 'red' }, 422, 'form_param_unknown');
      const anonymous = await t.app.inject({ method: 'POST', url: '/v1/organization_roles', payload: { name: 'X', key: 'org:x' } });
      assert.equal(anonymous.statusCode, 401);
      await fails(t, 'GET', '/v1/organization_roles/role_nope', undefined, 404, 'resource_not_found');
    });

    it('lists with query (exact id, part of name or key), order_by and paging', async () => {
      const tag = unique('lst');
      const made: RoleJson[] = [];
      for (const [suffix, name] of [['c', 'Alpha'], ['a', 'charlie'], ['b', 'Bravo']] as const) {
        made.push(await createRole(t, { name: `${name} ${tag}`, key: `org:${tag}_${suffix}` }));
      }
      const newest = await ok<List<RoleJson>>(t, 'GET', `/v1/organization_roles?query=${tag}`);
      assert.equal(newest.total_count, 3);
      assert.deepEqual(newest.data.map((r) => r.id), made.map((r) => r.id).reverse());
      const byKey = await ok<List<RoleJson>>(t, 'GET', `/v1/organization_roles?query=${tag}&order_by=key`);
      assert.deepEqual(byKey.data.map((r) => r.key), [`org:${tag}_a`, `org:${tag}_b`, `org:${tag}_c`]);
      const byName = await ok<List<RoleJson>>(t, 'GET', `/v1/organization_roles?query=${tag.toUpperCase()}&order_by=-name`);
      assert.deepEqual(byName.data.map((r) => r.name.split(' ')[0]), ['charlie', 'Bravo', 'Alpha']);
      const page = await ok<List<RoleJson>>(t, 'GET', `/v1/organization_roles?query=${tag}&order_by=%2Bcreated_at&limit=1&offset=1`);
      assert.equal(page.total_count, 3);
      assert.deepEqual(page.data.map((r) => r.id), [made[1]!.id]);
      const byId = await ok<List<RoleJson>>(t, 'GET', `/v1/organization_roles?query=${admin.id}`);
      assert.deepEqual(byId.data.map((r) => r.key), ['org:admin']);
      const wildcard = await ok<List<RoleJson>>(t, 'GET', '/v1/organization_roles?query=%25');
      assert.equal(wildcard.total_count, 0);
      await fails(t, 'GET', '/v1/organization_roles?order_by=email', undefined, 422, 'form_param_value_invalid');
      await fails(t, 'GET', '/v1/organization_roles?limit=0', undefined, 422, 'form_param_value_invalid');
      await fails(t, 'GET', '/v1/organization_roles?role_set=x', undefined, 422, 'form_param_unknown');
    });

    it('updates name, description, key and permissions of a custom role', async () => {
      const role = await createRole(t, { name: 'Writer', key: `org:${unique('writer')}`, permissions: [permId('org:sys_billing:read')] });
      const newKey = `org:${unique('author')}`;
      const updated = await ok<RoleJson>(t, 'PATCH', `/v1/organization_roles/${role.id}`, { name: 'Author', key: newKey, description: 'Writes' });
      assert.equal(updated.name, 'Author');
      assert.equal(updated.key, newKey);
      assert.equal(updated.description, 'Writes');
      assert.deepEqual(updated.permissions.map((p) => p.key), ['org:sys_billing:read']);
      assert.ok(updated.updated_at >= role.updated_at);
      const replaced = await ok<RoleJson>(t, 'PATCH', `/v1/organization_roles/${role.id}`, { permissions: [permId('org:sys_domains:read'), permId('org:sys_billing:manage')], name: null });
      assert.equal(replaced.name, 'Author');
      assert.deepEqual(replaced.permissions.map((p) => p.key), ['org:sys_billing:manage', 'org:sys_domains:read']);
      const cleared = await ok<RoleJson>(t, 'PATCH', `/v1/organization_roles/${role.id}`, { permissions: [], description: '' });
      assert.deepEqual(cleared.permissions, []);
      assert.equal(cleared.description, '');
      assert.deepEqual(await auditActions(t.deps.db, role.id), ['role.created', 'role.updated', 'role.updated', 'role.updated']);

      await fails(t, 'PATCH', `/v1/organization_roles/${role.id}`, { key: 'org:member' }, 422, 'form_identifier_exists');
      await fails(t, 'PATCH', `/v1/organization_roles/${role.id}`, { key: 'member' }, 422, 'form_param_format_invalid');
      await fails(t, 'PATCH', `/v1/organization_roles/${role.id}`, { name: '' }, 422, 'form_param_nil');
      await fails(t, 'PATCH', `/v1/organization_roles/${role.id}`, { permissions: ['perm_nope'] }, 404, 'resource_not_found');
      await fails(t, 'PATCH', `/v1/organization_roles/${role.id}`, { is_creator_role: true }, 422, 'form_param_unknown');
      await fails(t, 'PATCH', '/v1/organization_roles/role_nope', { name: 'X' }, 404, 'resource_not_found');
    });

    it('lets system roles change name, description and permissions, never their key', async () => {
      const renamed = await ok<RoleJson>(t, 'PATCH', `/v1/organization_roles/${member.id}`, { name: 'Teammate', description: 'Default role', key: 'org:member' });
      assert.equal(renamed.name, 'Teammate');
      assert.equal(renamed.key, 'org:member');
      const perms = await ok<RoleJson>(t, 'PATCH', `/v1/organization_roles/${member.id}`, { permissions: [permId('org:sys_memberships:read')] });
      assert.deepEqual(perms.permissions.map((p) => p.key), ['org:sys_memberships:read']);
      await ok(t, 'PATCH', `/v1/organization_roles/${member.id}`, { name: 'Member', description: member.description, permissions: member.permissions.map((p) => p.id) });

      for (const role of [admin, member]) {
        await fails(t, 'PATCH', `/v1/organization_roles/${role.id}`, { key: `org:${unique('renamed')}` }, 403, 'organization_system_role_not_modifiable');
      }
      const still = await ok<RoleJson>(t, 'GET', `/v1/organization_roles/${admin.id}`);
      assert.equal(still.key, 'org:admin');
    });

    it('keeps the creator role\'s minimum permissions (422 organization_missing_creator_role_permissions)', async () => {
      for (const key of CREATOR_ROLE_MIN_PERMISSIONS) {
        const meta = await fails(t, 'DELETE', `/v1/organization_roles/${admin.id}/permissions/${permId(key)}`, undefined, 422, 'organization_missing_creator_role_permissions');
        assert.deepEqual(meta.permissions, [key]);
      }
      const meta = await fails(t, 'PATCH', `/v1/organization_roles/${admin.id}`, { permissions: [permId('org:sys_memberships:read')] }, 422, 'organization_missing_creator_role_permissions');
      assert.deepEqual(meta.permissions, ['org:sys_memberships:manage', 'org:sys_profile:delete']);
      assert.deepEqual((await ok<RoleJson>(t, 'GET', `/v1/organization_roles/${admin.id}`)).permissions.map((p) => p.key), SYSTEM_PERMISSION_KEYS);

      // Anything beyond the minimum may go, and the minimum alone is enough.
      const trimmed = await ok<RoleJson>(t, 'DELETE', `/v1/organization_roles/${admin.id}/permissions/${permId('org:sys_billing:manage')}`);
      assert.ok(!trimmed.permissions.some((p) => p.key === 'org:sys_billing:manage'));
      const minimal = await ok<RoleJson>(t, 'PATCH', `/v1/organization_roles/${admin.id}`, { permissions: CREATOR_ROLE_MIN_PERMISSIONS.map(permId) });
      assert.equal(minimal.is_creator_eligible, true);
      const restored = await ok<RoleJson>(t, 'PATCH', `/v1/organization_roles/${admin.id}`, { permissions: SYSTEM_PERMISSION_KEYS.map(permId) });
      assert.deepEqual(restored.permissions.map((p) => p.key), SYSTEM_PERMISSION_KEYS);
    });

    it('assigns and removes permissions one at a time (no body), with 404 and 409 codes', async () => {
      const role = await createRole(t, { name: 'Grants', key: `org:${unique('grants')}` });
      const custom = await createPermission(t, { name: 'Read posts', key: `org:${unique('posts')}:read` });
      const url = (p: string) => `/v1/organization_roles/${role.id}/permissions/${p}`;
      const one = await ok<RoleJson>(t, 'POST', url(custom.id));
      assert.deepEqual(one.permissions.map((p) => p.id), [custom.id]);
      const two = await ok<RoleJson>(t, 'POST', url(permId('org:sys_memberships:manage')));
      assert.deepEqual(two.permissions.map((p) => p.key).sort(), [custom.key, 'org:sys_memberships:manage'].sort());
      await fails(t, 'POST', url(custom.id), undefined, 409, 'organization_role_permission_association_exists');
      await fails(t, 'POST', url('perm_nope'), undefined, 404, 'resource_not_found');
      await fails(t, 'POST', `/v1/organization_roles/role_nope/permissions/${custom.id}`, undefined, 404, 'resource_not_found');

      const removed = await ok<RoleJson>(t, 'DELETE', url(custom.id));
      assert.deepEqual(removed.permissions.map((p) => p.key), ['org:sys_memberships:manage']);
      await fails(t, 'DELETE', url(custom.id), undefined, 404, 'organization_role_permission_association_not_found');
      await fails(t, 'DELETE', url('perm_nope'), undefined, 404, 'resource_not_found');
      await fails(t, 'DELETE', `/v1/organization_roles/role_nope/permissions/${custom.id}`, undefined, 404, 'resource_not_found');
      assert.deepEqual(await auditActions(t.deps.db, role.id), ['role.created', 'role.permission_assigned', 'role.permission_assigned', 'role.permission_removed']);
    });

    it('deletes an unused custom role, never a system role', async () => {
      const role = await createRole(t, { name: 'Temp', key: `org:${unique('temp')}`, permissions: [permId('org:sys_billing:read')] });
      assert.deepEqual(await ok(t, 'DELETE', `/v1/organization_roles/${role.id}`), { object: 'role', id: role.id, deleted: true });
      await fails(t, 'GET', `/v1/organization_roles/${role.id}`, undefined, 404, 'resource_not_found');
      await fails(t, 'DELETE', `/v1/organization_roles/${role.id}`, undefined, 404, 'resource_not_found');
      assert.deepEqual(await auditActions(t.deps.db, role.id), ['role.created', 'role.deleted']);

      await fails(t, 'DELETE', `/v1/organization_roles/${admin.id}`, undefined, 422, 'organization_role_default_creator_role');
      await fails(t, 'DELETE', `/v1/organization_roles/${member.id}`, undefined, 403, 'organization_system_role_not_modifiable');
      assert.equal((await ok<RoleJson>(t, 'GET', `/v1/organization_roles/${member.id}`)).key, 'org:member');
    });
  });

  describe('permissions', () => {
    it('creates a custom permission (type "user"), gets and lists it', async () => {
      const key = `org:${unique('invoices')}:export`;
      const p = await createPermission(t, { name: 'Export invoices', key, description: 'CSV' });
      assert.equal(p.object, 'permission');
      assert.match(p.id, /^perm_[0-9A-Za-z]{27}$/);
      assert.equal(p.key, key);
      assert.equal(p.type, 'user');
      assert.equal(p.description, 'CSV');
      assert.deepEqual(await ok(t, 'GET', `/v1/organization_permissions/${p.id}`), p);
      const listed = await ok<List<PermissionJson>>(t, 'GET', `/v1/organization_permissions?query=${key.split(':')[1]}`);
      assert.deepEqual(listed, { data: [p], total_count: 1 });
      const page = await ok<List<PermissionJson>>(t, 'GET', '/v1/organization_permissions?order_by=key&limit=2&offset=1');
      assert.equal(page.data.length, 2);
      assert.ok(page.total_count >= 10);
      assert.deepEqual(await auditActions(t.deps.db, p.id), ['permission.created']);
      assert.equal((await createPermission(t, { name: 'No description', key: `org:${unique('x')}:y` })).description, '');
    });

    it('refuses malformed, system and taken keys', async () => {
      for (const key of ['org:posts', 'posts:read', 'org:Posts:read', 'org:posts:read:all', 'org::read', 'org:po-sts:read']) {
        assert.equal((await fails(t, 'POST', '/v1/organization_permissions', { name: 'X', key }, 422, 'form_param_format_invalid')).param_name, 'key', key);
      }
      await fails(t, 'POST', '/v1/organization_permissions', { name: 'X', key: 'org:sys_posts:read' }, 403, 'organization_system_permission_not_modifiable');
      await fails(t, 'POST', '/v1/organization_permissions', { name: 'X', key: 'org:sys_memberships:manage' }, 403, 'organization_system_permission_not_modifiable');
      const key = `org:${unique('dup')}:read`;
      await createPermission(t, { name: 'First', key });
      assert.equal((await fails(t, 'POST', '/v1/organization_permissions', { name: 'Second', key }, 422, 'form_identifier_exists')).param_name, 'key');
      await fails(t, 'POST', '/v1/organization_permissions', { name: 'X' }, 422, 'form_param_missing');
      await fails(t, 'POST', '/v1/organization_permissions', { name: ' ', key: `org:${unique('b')}:c` }, 422, 'form_param_nil');
      await fails(t, 'POST', '/v1/organization_permissions', { name: 'X', key: `org:${unique('b')}:c`, type: 'system' }, 422, 'form_param_unknown');
      await fails(t, 'GET', '/v1/organization_permissions/perm_nope', undefined, 404, 'resource_not_found');
    });

    it('updates a custom permission; a system one cannot change at all', async () => {
      const p = await createPermission(t, { name: 'Read', key: `org:${unique('docs')}:read` });
      const role = await createRole(t, { name: 'Docs', key: `org:${unique('docs')}`, permissions: [p.id] });
      const newKey = `org:${unique('documents')}:read`;
      const updated = await ok<PermissionJson>(t, 'PATCH', `/v1/organization_permissions/${p.id}`, { name: 'Read documents', key: newKey, description: 'All of them' });
      assert.deepEqual([updated.name, updated.key, updated.description, updated.type], ['Read documents', newKey, 'All of them', 'user']);
      assert.deepEqual((await ok<RoleJson>(t, 'GET', `/v1/organization_roles/${role.id}`)).permissions.map((x) => x.key), [newKey]);
      const same = await ok<PermissionJson>(t, 'PATCH', `/v1/organization_permissions/${p.id}`, { key: newKey, name: null });
      assert.equal(same.name, 'Read documents');

      await fails(t, 'PATCH', `/v1/organization_permissions/${p.id}`, { key: 'org:sys_docs:read' }, 403, 'organization_system_permission_not_modifiable');
      await fails(t, 'PATCH', `/v1/organization_permissions/${p.id}`, { key: 'org:sys_billing:read' }, 403, 'organization_system_permission_not_modifiable');
      await fails(t, 'PATCH', `/v1/organization_permissions/${p.id}`, { key: 'org:docs' }, 422, 'form_param_format_invalid');
      const other = await createPermission(t, { name: 'Other', key: `org:${unique('other')}:read` });
      await fails(t, 'PATCH', `/v1/organization_permissions/${p.id}`, { key: other.key }, 422, 'form_identifier_exists');
      await fails(t, 'PATCH', '/v1/organization_permissions/perm_nope', { name: 'X' }, 404, 'resource_not_found');
      for (const body of [{ name: 'Mine now' }, { description: 'x' }, {}]) {
        await fails(t, 'PATCH', `/v1/organization_permissions/${permId('org:sys_billing:read')}`, body, 403, 'organization_system_permission_not_modifiable');
      }
      assert.equal((await ok<PermissionJson>(t, 'GET', `/v1/organization_permissions/${permId('org:sys_billing:read')}`)).name, 'Read billing');
    });

    it('deletes a custom permission and removes it from the roles that held it; system ones stay', async () => {
      const p = await createPermission(t, { name: 'Temp', key: `org:${unique('temp')}:use` });
      const keep = await createPermission(t, { name: 'Keep', key: `org:${unique('keep')}:use` });
      const r1 = await createRole(t, { name: 'R1', key: `org:${unique('r')}`, permissions: [p.id, keep.id] });
      const r2 = await createRole(t, { name: 'R2', key: `org:${unique('r')}`, permissions: [p.id] });
      assert.deepEqual(await ok(t, 'DELETE', `/v1/organization_permissions/${p.id}`), { object: 'permission', id: p.id, deleted: true });
      const after1 = await ok<RoleJson>(t, 'GET', `/v1/organization_roles/${r1.id}`);
      assert.deepEqual(after1.permissions.map((x) => x.id), [keep.id]);
      assert.ok(after1.updated_at >= r1.updated_at);
      assert.deepEqual((await ok<RoleJson>(t, 'GET', `/v1/organization_roles/${r2.id}`)).permissions, []);
      await fails(t, 'GET', `/v1/organization_permissions/${p.id}`, undefined, 404, 'resource_not_found');
      await fails(t, 'DELETE', `/v1/organization_permissions/${p.id}`, undefined, 404, 'resource_not_found');
      await fails(t, 'POST', `/v1/organization_roles/${r2.id}/permissions/${p.id}`, undefined, 404, 'resource_not_found');
      assert.deepEqual(await auditActions(t.deps.db, p.id), ['permission.created', 'permission.deleted']);

      for (const key of SYSTEM_PERMISSION_KEYS) {
        await fails(t, 'DELETE', `/v1/organization_permissions/${permId(key)}`, undefined, 403, 'organization_system_permission_not_modifiable');
      }
      const list = await ok<List<PermissionJson>>(t, 'GET', '/v1/organization_permissions?query=org:sys_');
      assert.equal(list.total_count, 9);
    });
  });

  it('concurrent creates of one key: exactly one wins, the others get 422 form_identifier_exists', async () => {
    for (const [url, key] of [['/v1/organization_roles', `org:${unique('race')}`], ['/v1/organization_permissions', `org:${unique('race')}:go`]] as const) {
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => bapi(t, 'POST', url, { name: `Racer ${i}`, key })));
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 422, 422, 422, 422], JSON.stringify(results.map((r) => r.body)));
      for (const r of results.filter((x) => x.status === 422)) assert.equal(r.body.errors[0].code, 'form_identifier_exists');
    }
  });

  it('answers exactly application/json with the Clerk envelope on errors', async () => {
    const r = await bapi(t, 'GET', '/v1/organization_permissions/perm_nope');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.body.errors[0].code, 'resource_not_found');
  });
});
