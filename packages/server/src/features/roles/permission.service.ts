// Organization permissions in the Backend API: list, get, create, update, delete.
//
// Rules that hold for every function here:
// - the 9 system permissions (type 'system', keys org:sys_*) are seeded by the migration and are
//   read-only: creating a key under org:sys_, or updating or deleting a system permission, is
//   403 organization_system_permission_not_modifiable (clerk-docs api_errors.json);
// - a custom key is org:<feature>:<action> with segments of a-z, 0-9, _ (422
//   form_param_format_invalid) and unique: the unique index decides races, and a violation is
//   answered like the pre-check (422 form_identifier_exists, meta.param_name "key");
// - every write is one transaction with its audit_log row.
import type { Deps } from '../../deps.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ApiError, notFound, paramFormatInvalid } from '../../http/errors.ts';
import { ms } from '../../http/schemas.ts';
import { newId } from '../../lib/ids.ts';
import {
  countPermissions,
  deletePermissionById,
  findPermissionById,
  findPermissionByIdForUpdate,
  findPermissionByKey,
  insertUserPermission,
  listPermissions,
  updatePermissionById,
  type PermissionPatch,
} from './permission.repository.ts';
import { findRoleIdsWithPermission, recordRoleAudit, touchRoles, type NameKeyFilter, type NameKeyPage } from './role.repository.ts';
import {
  ROLE_ORDER_FIELDS,
  type CreatePermissionInput,
  type DeletedPermissionJson,
  type PermissionJson,
  type PermissionListJson,
  type RoleListQueryT,
  type UpdatePermissionInput,
} from './role.schemas.ts';
import type { PermissionRow } from './role.table.ts';

export function permissionRowToJson(row: PermissionRow): PermissionJson {
  return {
    object: 'permission',
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    type: row.type,
    created_at: ms(row.created_at),
    updated_at: ms(row.updated_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Input rules shared with the roles service

/** A name is required to hold something other than white space (422 form_param_nil). */
export function checkName(name: string): string {
  if (name.trim() === '') throw new ApiError('form_param_nil', { vars: { param: 'name' }, meta: { param_name: 'name' } });
  return name;
}

export const keyTaken = (): ApiError => new ApiError('form_identifier_exists', { vars: { param: 'key' }, meta: { param_name: 'key' } });

/** Runs a write; a unique violation of `constraint` from a concurrent writer becomes keyTaken(). */
export async function withKeyGuard<T>(constraint: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err, constraint)) throw keyTaken();
    throw err;
  }
}

/** The list query as a filter and a page: order_by [+|-]field, "+" implied, default -created_at. */
export function toNameKeyPage(q: RoleListQueryT): { filter: NameKeyFilter; page: NameKeyPage } {
  const orderBy = q.order_by ?? '-created_at';
  const field = ROLE_ORDER_FIELDS.find((f) => f === orderBy.replace(/^[+-]/, '')) ?? 'created_at';
  return {
    filter: { query: q.query === undefined || q.query === '' ? undefined : q.query },
    page: { limit: q.limit ?? 10, offset: q.offset ?? 0, orderBy: field, direction: orderBy.startsWith('-') ? 'desc' : 'asc' },
  };
}

export const SYSTEM_PERMISSION_PREFIX = 'org:sys_';
const PERMISSION_KEY = /^org:[a-z0-9_]{1,64}:[a-z0-9_]{1,64}$/;

const systemPermissionNotModifiable = () => new ApiError('organization_system_permission_not_modifiable', { meta: { param_name: 'key' } });

/** A custom permission key: org:<feature>:<action>, not under org:sys_. */
function checkPermissionKey(key: string): string {
  if (!PERMISSION_KEY.test(key)) throw paramFormatInvalid('key', 'permission key of the form org:<feature>:<action> (a-z, 0-9, _)');
  if (key.startsWith(SYSTEM_PERMISSION_PREFIX)) throw systemPermissionNotModifiable();
  return key;
}

// ---------------------------------------------------------------------------------------------
// Read

/** Every permission, system and custom, filtered by `query`; default order -created_at. */
export async function getPermissionList(deps: Deps, q: RoleListQueryT): Promise<PermissionListJson> {
  const { filter, page } = toNameKeyPage(q);
  const [rows, total] = await Promise.all([listPermissions(deps.db, filter, page), countPermissions(deps.db, filter)]);
  return { data: rows.map(permissionRowToJson), total_count: total };
}

/** Unknown id → 404 resource_not_found. */
export async function getPermission(deps: Deps, id: string): Promise<PermissionJson> {
  const row = await findPermissionById(deps.db, id);
  if (!row) throw notFound('permission', id);
  return permissionRowToJson(row);
}

// ---------------------------------------------------------------------------------------------
// Write

/** Creates a custom ('user') permission; the key rules are at the top of this file. */
export async function createPermission(deps: Deps, input: CreatePermissionInput): Promise<PermissionJson> {
  const key = checkPermissionKey(input.key);
  const name = checkName(input.name);
  return withKeyGuard('permissions_key_key', () =>
    deps.db.transaction().execute(async (trx) => {
      if (await findPermissionByKey(trx, key)) throw keyTaken();
      const row = await insertUserPermission(trx, { id: newId('perm'), key, name, description: input.description ?? '' });
      await recordRoleAudit(trx, 'permission.created', row.id, { key });
      return permissionRowToJson(row);
    }),
  );
}

/**
 * Changes the given keys of a custom permission (null or omitted: unchanged). A system
 * permission cannot change at all (403). Roles holding it see the new key at once: grants
 * reference the permission's id.
 */
export async function updatePermission(deps: Deps, id: string, input: UpdatePermissionInput): Promise<PermissionJson> {
  return withKeyGuard('permissions_key_key', () =>
    deps.db.transaction().execute(async (trx) => {
      const current = await findPermissionByIdForUpdate(trx, id, 'no key update');
      if (!current) throw notFound('permission', id);
      if (current.type === 'system') throw systemPermissionNotModifiable();
      const patch: PermissionPatch = {};
      if (input.key != null && input.key !== current.key) {
        patch.key = checkPermissionKey(input.key);
        if (await findPermissionByKey(trx, patch.key)) throw keyTaken();
      }
      if (input.name != null) patch.name = checkName(input.name);
      if (input.description != null) patch.description = input.description;
      const row = await updatePermissionById(trx, id, patch);
      await recordRoleAudit(trx, 'permission.updated', id, { changed: Object.keys(patch).sort() });
      return permissionRowToJson(row);
    }),
  );
}

/**
 * Deletes a custom permission. A permission still granted to roles is removed from them in the
 * same transaction (role_permissions ON DELETE CASCADE; those roles' updated_at moves), rather
 * than refused: Clerk documents no refusal, and no invariant depends on a custom permission
 * (the creator role's minimum is made of system permissions, which cannot be deleted). The
 * audit row lists the roles that lost it.
 */
export async function deletePermission(deps: Deps, id: string): Promise<DeletedPermissionJson> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await findPermissionByIdForUpdate(trx, id, 'update');
    if (!current) throw notFound('permission', id);
    if (current.type === 'system') throw systemPermissionNotModifiable();
    const roleIds = await findRoleIdsWithPermission(trx, id);
    await deletePermissionById(trx, id);
    await touchRoles(trx, roleIds);
    await recordRoleAudit(trx, 'permission.deleted', id, { key: current.key, removed_from_roles: roleIds });
    return { object: 'permission' as const, id, deleted: true as const };
  });
}
