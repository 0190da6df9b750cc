// A role in use cannot be deleted: the friendly pre-check, and the foreign key (ON DELETE
// RESTRICT) that decides a delete racing an insert. Also the role service functions other
// features rely on: ensureRole (legacy aliases) and ensureMemberPermission (custom roles).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { bapi, type Res } from '../helpers/http.ts';
import { ApiError } from '../../src/http/errors.ts';
import { ensureMemberPermission, ensureRole } from '../../src/features/roles/role.service.ts';
import type { RoleJson } from '../../src/features/roles/role.schemas.ts';
import {
  auditActions,
  createPermission,
  createRole,
  createUser,
  fails,
  insertMembership,
  insertOrganization,
  insertOrganizationInvitation,
  ok,
  roleExists,
  seeded,
  sleep,
  unique,
} from './roles.fixtures.ts';

/** Runs fn, which must reject with an ApiError of this code. */
async function rejectsWith(fn: () => Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, code);
    return true;
  });
}

describe(`roles in use (${storeName})`, () => {
  let t: TestApp;
  let permId: (key: string) => string;
  before(async () => {
    t = await startTestApp();
    const s = await seeded(t);
    permId = (key) => s.permissions.get(key)!.id;
  });
  after(async () => { await t.close(); });

  it('refuses to delete a role held by a membership (422 organization_role_assigned_members) until it is released', async () => {
    const role = await createRole(t, { name: 'Held', key: `org:${unique('held')}` });
    const org = await insertOrganization(t.deps.db);
    const user = await createUser(t);
    const membership = await insertMembership(t.deps.db, org, user, role.id);
    await fails(t, 'DELETE', `/v1/organization_roles/${role.id}`, undefined, 422, 'organization_role_assigned_members');
    assert.ok(await roleExists(t.deps.db, role.id));
    await sql`DELETE FROM organization_memberships WHERE id = ${membership}`.execute(t.deps.db);
    await ok(t, 'DELETE', `/v1/organization_roles/${role.id}`);
    assert.equal(await roleExists(t.deps.db, role.id), false);
  });

  it('refuses to delete a role named by an organization invitation of any status (422 organization_role_exists_in_invitations)', async () => {
    const org = await insertOrganization(t.deps.db);
    for (const status of ['pending', 'revoked', 'accepted']) {
      const role = await createRole(t, { name: 'Invited', key: `org:${unique('invited')}` });
      await insertOrganizationInvitation(t.deps.db, org, role.id, status);
      await fails(t, 'DELETE', `/v1/organization_roles/${role.id}`, undefined, 422, 'organization_role_exists_in_invitations');
      assert.ok(await roleExists(t.deps.db, role.id), status);
    }
  });

  for (const holder of ['membership', 'invitation'] as const) {
    it(
      `a delete racing the insert of ${holder === 'membership' ? 'a membership' : 'an invitation'} is refused by the foreign key, with the same code`,
      { skip: storeName !== 'postgres' && 'PGlite has a single connection: the two transactions cannot overlap' },
      async () => {
        const role = await createRole(t, { name: 'Raced', key: `org:${unique('raced')}` });
        const org = await insertOrganization(t.deps.db);
        const user = await createUser(t);
        let deleting: Promise<Res> | undefined;
        await t.deps.db.transaction().execute(async (trx) => {
          if (holder === 'membership') await insertMembership(trx, org, user, role.id);
          else await insertOrganizationInvitation(trx, org, role.id);
          const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]!.pid;
          // The delete's count runs now and sees nothing (this insert is not committed); its
          // DELETE then waits for this transaction's key-share lock on the role row.
          deleting = bapi(t, 'DELETE', `/v1/organization_roles/${role.id}`);
          for (let waited = 0; ; waited += 20) {
            const blocked = await sql`SELECT 1 FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`.execute(t.deps.db);
            if (blocked.rows.length > 0) break;
            assert.ok(waited < 10_000, 'the DELETE never waited on the inserting transaction');
            await sleep(20);
          }
        });
        const r = await deleting!;
        const code = holder === 'membership' ? 'organization_role_assigned_members' : 'organization_role_exists_in_invitations';
        assert.equal(r.status, 422, JSON.stringify(r.body));
        assert.equal(r.body.errors[0].code, code);
        assert.ok(await roleExists(t.deps.db, role.id));
        assert.deepEqual(await auditActions(t.deps.db, role.id), ['role.created']);
      },
    );
  }

  it('ensureRole resolves keys, custom roles and the legacy aliases admin and basic_member', async () => {
    const db = t.deps.db;
    assert.equal((await ensureRole(db, 'admin')).key, 'org:admin');
    assert.equal((await ensureRole(db, 'basic_member')).key, 'org:member');
    assert.equal((await ensureRole(db, 'org:admin')).key, 'org:admin');
    const custom = await createRole(t, { name: 'Custom', key: `org:${unique('custom')}` });
    assert.equal((await ensureRole(db, custom.key)).id, custom.id);
    // A key change is seen at once; the old key no longer resolves.
    const renamed = await ok<RoleJson>(t, 'PATCH', `/v1/organization_roles/${custom.id}`, { key: `org:${unique('renamed')}` });
    assert.equal((await ensureRole(db, renamed.key)).id, custom.id);
    await rejectsWith(() => ensureRole(db, custom.key), 'form_param_value_invalid');
    await rejectsWith(() => ensureRole(db, 'org:nobody'), 'form_param_value_invalid');
  });

  it('ensureMemberPermission honours a custom role that grants org:sys_memberships:manage, and its revocation', async () => {
    const db = t.deps.db;
    const posts = await createPermission(t, { name: 'Publish', key: `org:${unique('posts')}:publish` });
    const manager = await createRole(t, { name: 'Manager', key: `org:${unique('manager')}`, permissions: [permId('org:sys_memberships:manage'), posts.id] });
    const org = await insertOrganization(db);
    const [managerUser, memberUser, outsider] = [await createUser(t), await createUser(t), await createUser(t)];
    await insertMembership(db, org, managerUser, manager.id);
    await insertMembership(db, org, memberUser, (await ensureRole(db, 'org:member')).id);

    await ensureMemberPermission(db, org, managerUser);
    await ensureMemberPermission(db, org, managerUser, posts.key);
    await rejectsWith(() => ensureMemberPermission(db, org, memberUser), 'not_an_admin_in_organization');
    await ensureMemberPermission(db, org, memberUser, 'org:sys_memberships:read');
    await rejectsWith(() => ensureMemberPermission(db, org, outsider), 'not_an_admin_in_organization');

    await ok(t, 'DELETE', `/v1/organization_roles/${manager.id}/permissions/${permId('org:sys_memberships:manage')}`);
    await rejectsWith(() => ensureMemberPermission(db, org, managerUser), 'not_an_admin_in_organization');
    await ok(t, 'DELETE', `/v1/organization_permissions/${posts.id}`);
    await rejectsWith(() => ensureMemberPermission(db, org, managerUser, posts.key), 'not_an_admin_in_organization');
    // Granting it to the default role makes every member a manager.
    await ok(t, 'POST', `/v1/organization_roles/${(await ensureRole(db, 'org:member')).id}/permissions/${permId('org:sys_memberships:manage')}`);
    await ensureMemberPermission(db, org, memberUser);
  });
});
