// Roles: resolving what a client names, the permission checks other features rely on, and the
// organization roles Backend API (list, get, create, update, delete, grant and revoke permissions).
//
// Rules that hold for every write here:
// - a custom role key is org:<key> with a-z, 0-9, _ (422 form_param_format_invalid) and unique:
//   the unique index decides races, answered like the pre-check (422 form_identifier_exists,
//   meta.param_name "key");
// - the system roles org:admin (the creator role) and org:member (the default role) keep their
//   key and cannot be deleted; their name, description and permissions may change;
// - the creator role always holds CREATOR_ROLE_MIN_PERMISSIONS (clerk-wire.md §3.3): a change
//   that would drop one is 422 organization_missing_creator_role_permissions;
// - every write is one transaction with its audit_log row; writes to one role are serialised by a
//   row lock (FOR NO KEY UPDATE, which still lets memberships and invitations reference the role).
import type { Kysely, Transaction } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Database } from '../../db/database.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid } from '../../http/errors.ts';
import { ms } from '../../http/schemas.ts';
import { newId } from '../../lib/ids.ts';
import { findPermissionById, findPermissionsByIds } from './permission.repository.ts';
import { checkName, keyTaken, permissionRowToJson, toNameKeyPage, withKeyGuard } from './permission.service.ts';
import {
  countRoleUsage,
  countRoles,
  deleteAllRolePermissions,
  deleteRoleById,
  deleteRolePermission,
  findMemberAccess,
  findPermissionsOfRoles,
  findRoleById,
  findRoleByIdForUpdate,
  findRoleByKey,
  foreignKeyViolationTable,
  insertRole,
  insertRolePermissions,
  listRoles,
  recordRoleAudit,
  updateRoleById,
  type RolePatch,
} from './role.repository.ts';
import type { CreateRoleInput, DeletedRoleJson, RoleJson, RoleListJson, RoleListQueryT, UpdateRoleInput } from './role.schemas.ts';
import type { PermissionRow, RoleRow } from './role.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Role keys from before Clerk's Core 2, still accepted on input. */
export const LEGACY_ROLE_ALIASES: Readonly<Record<string, string>> = { admin: 'org:admin', basic_member: 'org:member' };

export const MANAGE_MEMBERSHIPS = 'org:sys_memberships:manage';

/** What the creator role must always hold (clerk-docs roles-and-permissions.mdx; clerk-wire.md §3.3). */
export const CREATOR_ROLE_MIN_PERMISSIONS: readonly string[] = ['org:sys_memberships:manage', 'org:sys_memberships:read', 'org:sys_profile:delete'];

/** The seeded roles: they keep their key and cannot be deleted. */
export const SYSTEM_ROLE_KEYS: readonly string[] = ['org:admin', 'org:member'];

/** The role a client names (legacy aliases accepted); unknown → 422 form_param_value_invalid on `param`. */
export async function ensureRole(db: Db, key: string, param = 'role'): Promise<RoleRow> {
  const role = await findRoleByKey(db, LEGACY_ROLE_ALIASES[key] ?? key);
  if (!role) throw paramInvalid(param, `role "${key}" does not exist`);
  return role;
}

/**
 * Throws 403 not_an_admin_in_organization unless the user is a member of the organization whose
 * role holds `permission` (by default org:sys_memberships:manage, which only org:admin has out of
 * the box; a custom role granted it passes too).
 */
export async function ensureMemberPermission(db: Db, organizationId: string, userId: string, permission = MANAGE_MEMBERSHIPS): Promise<void> {
  const access = await findMemberAccess(db, organizationId, userId);
  if (!access || !access.permissions.includes(permission)) throw new ApiError('not_an_admin_in_organization');
}

// ---------------------------------------------------------------------------------------------
// Wire mapper and rules

/** `permissions` ordered by key. */
export function roleRowToJson(row: RoleRow, permissions: readonly PermissionRow[]): RoleJson {
  const keys = new Set(permissions.map((p) => p.key));
  return {
    object: 'role',
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    is_creator_eligible: CREATOR_ROLE_MIN_PERMISSIONS.every((k) => keys.has(k)),
    permissions: permissions.map(permissionRowToJson),
    created_at: ms(row.created_at),
    updated_at: ms(row.updated_at),
  };
}

const ROLE_KEY = /^org:[a-z0-9_]{1,64}$/;

function checkRoleKey(key: string): string {
  if (!ROLE_KEY.test(key)) throw paramFormatInvalid('key', 'role key of the form org:<key> (a-z, 0-9, _)');
  return key;
}

/** A seeded role, or one holding the creator or default flag (only seeded roles do today). */
const isSystemRole = (role: RoleRow): boolean => SYSTEM_ROLE_KEYS.includes(role.key) || role.is_creator_role || role.is_default_role;

const systemRoleNotModifiable = (role: RoleRow) => new ApiError('organization_system_role_not_modifiable', { vars: { key: role.key } });

/** The permissions with these ids (repeats ignored), ordered by key; an unknown id → 404 (meta.param_name "permissions"). */
async function ensurePermissions(db: Db, ids: readonly string[]): Promise<PermissionRow[]> {
  const unique = [...new Set(ids)];
  const rows = await findPermissionsByIds(db, unique);
  const missing = unique.find((id) => !rows.some((r) => r.id === id));
  if (missing !== undefined) {
    throw new ApiError('resource_not_found', { vars: { resource: 'permission', id: missing }, meta: { param_name: 'permissions' } });
  }
  return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The creator role must keep CREATOR_ROLE_MIN_PERMISSIONS. */
function ensureCreatorMinimum(role: RoleRow, keys: readonly string[]): void {
  if (!role.is_creator_role) return;
  const missing = CREATOR_ROLE_MIN_PERMISSIONS.filter((k) => !keys.includes(k));
  if (missing.length > 0) {
    throw new ApiError('organization_missing_creator_role_permissions', {
      vars: { permissions: CREATOR_ROLE_MIN_PERMISSIONS.join(', ') },
      meta: { permissions: missing },
    });
  }
}

/** A grant racing a delete of the permission fails on the foreign key: the permission is gone (404). */
async function withGrantGuard<T>(permissionIds: readonly string[], write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (foreignKeyViolationTable(err) === 'role_permissions') {
      throw new ApiError('resource_not_found', { vars: { resource: 'permission', id: permissionIds.join(' or ') }, meta: { param_name: 'permissions' } });
    }
    throw err;
  }
}

async function roleWithPermissions(db: Db, row: RoleRow): Promise<RoleJson> {
  const perms = await findPermissionsOfRoles(db, [row.id]);
  return roleRowToJson(row, perms.get(row.id) ?? []);
}

// ---------------------------------------------------------------------------------------------
// Read

/** Every role (system and custom) with its permissions, loaded in one query for the page. */
export async function getRoleList(deps: Deps, q: RoleListQueryT): Promise<RoleListJson> {
  const { filter, page } = toNameKeyPage(q);
  const [rows, total] = await Promise.all([listRoles(deps.db, filter, page), countRoles(deps.db, filter)]);
  const perms = await findPermissionsOfRoles(deps.db, rows.map((r) => r.id));
  return { data: rows.map((r) => roleRowToJson(r, perms.get(r.id) ?? [])), total_count: total };
}

/** Unknown id → 404 resource_not_found. */
export async function getRole(deps: Deps, id: string): Promise<RoleJson> {
  const row = await findRoleById(deps.db, id);
  if (!row) throw notFound('role', id);
  return roleWithPermissions(deps.db, row);
}

// ---------------------------------------------------------------------------------------------
// Write

/**
 * Creates a custom role, optionally with permissions (ids). Key rules at the top of this file;
 * a blank name is 422 form_param_nil; include_in_initial_role_set false is 422 (every role is in
 * Tessera's one role set).
 */
export async function createRole(deps: Deps, input: CreateRoleInput): Promise<RoleJson> {
  const key = checkRoleKey(input.key);
  const name = checkName(input.name);
  if (input.include_in_initial_role_set === false) {
    throw paramInvalid('include_in_initial_role_set', 'Tessera has one role set that holds every role; false is not supported');
  }
  const permissionIds = input.permissions ?? [];
  return withKeyGuard('roles_key_key', () =>
    withGrantGuard(permissionIds, () =>
      deps.db.transaction().execute(async (trx) => {
        if (await findRoleByKey(trx, key)) throw keyTaken();
        const permissions = await ensurePermissions(trx, permissionIds);
        const role = await insertRole(trx, { id: newId('role'), key, name, description: input.description ?? '' });
        await insertRolePermissions(trx, role.id, permissions.map((p) => p.id));
        await recordRoleAudit(trx, 'role.created', role.id, { key, permissions: permissions.map((p) => p.key) });
        return roleRowToJson(role, permissions);
      }),
    ),
  );
}

/**
 * Changes the given keys (null or omitted: unchanged). `permissions` replaces the role's grants.
 * A system role's key cannot change (403 organization_system_role_not_modifiable); the creator
 * role keeps its minimum permissions (422). Memberships and invitations reference the role by
 * id, so they follow a key change at once.
 */
export async function updateRole(deps: Deps, id: string, input: UpdateRoleInput): Promise<RoleJson> {
  const permissionIds = input.permissions ?? null;
  return withKeyGuard('roles_key_key', () =>
    withGrantGuard(permissionIds ?? [], () =>
      deps.db.transaction().execute(async (trx) => {
        const role = await findRoleByIdForUpdate(trx, id);
        if (!role) throw notFound('role', id);
        const patch: RolePatch = {};
        if (input.key != null && input.key !== role.key) {
          if (isSystemRole(role)) throw systemRoleNotModifiable(role);
          patch.key = checkRoleKey(input.key);
          if (await findRoleByKey(trx, patch.key)) throw keyTaken();
        }
        if (input.name != null) patch.name = checkName(input.name);
        if (input.description != null) patch.description = input.description;
        let permissions: PermissionRow[] | null = null;
        if (permissionIds !== null) {
          permissions = await ensurePermissions(trx, permissionIds);
          ensureCreatorMinimum(role, permissions.map((p) => p.key));
          await deleteAllRolePermissions(trx, id);
          await insertRolePermissions(trx, id, permissions.map((p) => p.id));
        }
        const row = await updateRoleById(trx, id, patch);
        const changed = [...Object.keys(patch), ...(permissions ? ['permissions'] : [])].sort();
        await recordRoleAudit(trx, 'role.updated', id, { changed, ...(permissions ? { permissions: permissions.map((p) => p.key) } : {}) });
        return permissions ? roleRowToJson(row, permissions) : roleWithPermissions(trx, row);
      }),
    ),
  );
}

function roleInUse(table: string, key: string): ApiError {
  return table === 'organization_invitations'
    ? new ApiError('organization_role_exists_in_invitations', { vars: { key } })
    : new ApiError('organization_role_assigned_members', { vars: { key } });
}

/**
 * Deletes a custom role. The creator role is 422 organization_role_default_creator_role, the other
 * system role (org:member) 403 organization_system_role_not_modifiable. A role referenced by a
 * membership is 422 organization_role_assigned_members; by an organization invitation (any status:
 * the invitation keeps naming its role) 422 organization_role_exists_in_invitations. The counts give
 * the friendly answer; the foreign keys (ON DELETE RESTRICT) are the invariant: a membership or
 * invitation inserted concurrently makes the DELETE fail with SQLSTATE 23503, answered the same.
 * No row lock is taken first, so a concurrent insert is never made to wait for the counts.
 */
export async function deleteRole(deps: Deps, id: string): Promise<DeletedRoleJson> {
  let key = id;
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const role = await findRoleById(trx, id);
      if (!role) throw notFound('role', id);
      key = role.key;
      if (role.is_creator_role) throw new ApiError('organization_role_default_creator_role');
      if (isSystemRole(role)) throw systemRoleNotModifiable(role);
      const usage = await countRoleUsage(trx, id);
      if (usage.memberships > 0) throw roleInUse('organization_memberships', key);
      if (usage.invitations > 0) throw roleInUse('organization_invitations', key);
      await deleteRoleById(trx, id);
      await recordRoleAudit(trx, 'role.deleted', id, { key });
      return { object: 'role' as const, id, deleted: true as const };
    });
  } catch (err) {
    const table = foreignKeyViolationTable(err);
    if (table !== null) throw roleInUse(table, key);
    throw err;
  }
}

/** Grants a permission. Unknown role or permission → 404 resource_not_found; already granted → 409. */
export async function assignPermissionToRole(deps: Deps, roleId: string, permissionId: string): Promise<RoleJson> {
  return withGrantGuard([permissionId], () =>
    deps.db.transaction().execute(async (trx) => {
      const role = await findRoleByIdForUpdate(trx, roleId);
      if (!role) throw notFound('role', roleId);
      const permission = await findPermissionById(trx, permissionId);
      if (!permission) throw notFound('permission', permissionId);
      const current = (await findPermissionsOfRoles(trx, [roleId])).get(roleId) ?? [];
      if (current.some((p) => p.id === permissionId)) throw new ApiError('organization_role_permission_association_exists');
      await insertRolePermissions(trx, roleId, [permissionId]);
      const row = await updateRoleById(trx, roleId, {});
      await recordRoleAudit(trx, 'role.permission_assigned', roleId, { permission: permission.key });
      return roleWithPermissions(trx, row);
    }),
  );
}

/**
 * Revokes a permission. Unknown role or permission → 404 resource_not_found; not granted → 404
 * organization_role_permission_association_not_found; one of the creator role's minimum → 422.
 */
export async function removePermissionFromRole(deps: Deps, roleId: string, permissionId: string): Promise<RoleJson> {
  return deps.db.transaction().execute(async (trx) => {
    const role = await findRoleByIdForUpdate(trx, roleId);
    if (!role) throw notFound('role', roleId);
    const permission = await findPermissionById(trx, permissionId);
    if (!permission) throw notFound('permission', permissionId);
    const current = (await findPermissionsOfRoles(trx, [roleId])).get(roleId) ?? [];
    if (!current.some((p) => p.id === permissionId)) throw new ApiError('organization_role_permission_association_not_found');
    ensureCreatorMinimum(role, current.filter((p) => p.id !== permissionId).map((p) => p.key));
    await deleteRolePermission(trx, roleId, permissionId);
    const row = await updateRoleById(trx, roleId, {});
    await recordRoleAudit(trx, 'role.permission_removed', roleId, { permission: permission.key });
    return roleWithPermissions(trx, row);
  });
}
