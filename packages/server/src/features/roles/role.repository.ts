// SQL for roles and their permissions (instance-wide data, seeded with Clerk's defaults).
import { sql, type Insertable, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { PermissionRow, RoleRow, RolesTable } from './role.table.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Json = Record<string, unknown>;

export async function findRoleByKey(db: Db, key: string): Promise<RoleRow | undefined> {
  return db.selectFrom('roles').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function findRolePermissionKeys(db: Db, roleId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('role_permissions')
    .innerJoin('permissions', 'permissions.id', 'role_permissions.permission_id')
    .select('permissions.key')
    .where('role_permissions.role_id', '=', roleId)
    .orderBy('permissions.key')
    .execute();
  return rows.map((r) => r.key);
}

/** The role and permission keys a user holds in an organization, or null when not a member. */
export async function findMemberAccess(db: Db, organizationId: string, userId: string): Promise<{ role: RoleRow; permissions: string[] } | null> {
  const role = await db
    .selectFrom('organization_memberships')
    .innerJoin('roles', 'roles.id', 'organization_memberships.role_id')
    .selectAll('roles')
    .where('organization_memberships.organization_id', '=', organizationId)
    .where('organization_memberships.user_id', '=', userId)
    .executeTakeFirst();
  if (!role) return null;
  return { role, permissions: await findRolePermissionKeys(db, role.id) };
}

export async function findRoleById(db: Db, id: string): Promise<RoleRow | undefined> {
  return db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The role, locked against concurrent role writes (FOR NO KEY UPDATE: it does not block a
 * membership or invitation that starts referencing the role, so the foreign key, not this lock,
 * decides a delete racing such an insert).
 */
export async function findRoleByIdForUpdate(trx: Transaction<Database>, id: string): Promise<RoleRow | undefined> {
  return trx.selectFrom('roles').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
}

/** The permissions of each role, ordered by key; roles without any map to []. */
export async function findPermissionsOfRoles(db: Db, roleIds: readonly string[]): Promise<Map<string, PermissionRow[]>> {
  const out = new Map<string, PermissionRow[]>(roleIds.map((id) => [id, []]));
  if (roleIds.length === 0) return out;
  const rows = await db
    .selectFrom('role_permissions')
    .innerJoin('permissions', 'permissions.id', 'role_permissions.permission_id')
    .selectAll('permissions')
    .select('role_permissions.role_id')
    .where('role_permissions.role_id', 'in', roleIds)
    .orderBy('permissions.key')
    .execute();
  for (const { role_id, ...permission } of rows) out.get(role_id)?.push(permission);
  return out;
}

export interface NameKeyFilter {
  /** Exact id, or a case-insensitive substring of name or key. */
  query?: string;
}

export interface NameKeyPage {
  limit: number;
  offset: number;
  orderBy: 'created_at' | 'name' | 'key';
  direction: 'asc' | 'desc';
}

/** Escapes LIKE wildcards (the default escape character is the backslash). */
export const likePattern = (s: string): string => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function applyRoleFilter<O>(qb: SelectQueryBuilder<Database, 'roles', O>, f: NameKeyFilter): SelectQueryBuilder<Database, 'roles', O> {
  const query = f.query;
  if (!query) return qb;
  const like = likePattern(query);
  return qb.where((eb) => eb.or([eb('roles.id', '=', query), eb(sql<string>`lower(roles.name)`, 'like', like), eb('roles.key', 'like', like)]));
}

export async function listRoles(db: Db, f: NameKeyFilter, page: NameKeyPage): Promise<RoleRow[]> {
  return applyRoleFilter(db.selectFrom('roles').selectAll(), f)
    .orderBy(page.orderBy === 'name' ? sql`lower(roles.name)` : sql.ref(`roles.${page.orderBy}`), page.direction)
    .orderBy('roles.id', page.direction)
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countRoles(db: Db, f: NameKeyFilter): Promise<number> {
  const row = await applyRoleFilter(db.selectFrom('roles').select((eb) => eb.fn.countAll<number>().as('n')), f).executeTakeFirstOrThrow();
  return Number(row.n);
}

export type NewRole = Omit<Insertable<RolesTable>, 'is_creator_role' | 'is_default_role'>;

export async function insertRole(trx: Transaction<Database>, role: NewRole): Promise<RoleRow> {
  return trx.insertInto('roles').values(role).returningAll().executeTakeFirstOrThrow();
}

export interface RolePatch {
  key?: string;
  name?: string;
  description?: string;
}

/** Applies the patch and bumps updated_at (also with an empty patch: a permission changed). */
export async function updateRoleById(trx: Transaction<Database>, id: string, patch: RolePatch): Promise<RoleRow> {
  return trx
    .updateTable('roles')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Bumps updated_at of these roles (their permissions changed). */
export async function touchRoles(trx: Transaction<Database>, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.updateTable('roles').set({ updated_at: sql<Date>`now()` }).where('id', 'in', ids).execute();
}

export async function deleteRoleById(trx: Transaction<Database>, id: string): Promise<void> {
  await trx.deleteFrom('roles').where('id', '=', id).execute();
}

/** How many memberships and organization invitations (any status) reference the role. */
export async function countRoleUsage(db: Db, roleId: string): Promise<{ memberships: number; invitations: number }> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('organization_memberships').select((e) => e.fn.countAll<number>().as('n')).where('role_id', '=', roleId).as('memberships'),
      eb.selectFrom('organization_invitations').select((e) => e.fn.countAll<number>().as('n')).where('role_id', '=', roleId).as('invitations'),
    ])
    .executeTakeFirstOrThrow();
  return { memberships: Number(row.memberships), invitations: Number(row.invitations) };
}

export async function insertRolePermissions(trx: Transaction<Database>, roleId: string, permissionIds: readonly string[]): Promise<void> {
  if (permissionIds.length === 0) return;
  await trx
    .insertInto('role_permissions')
    .values(permissionIds.map((permission_id) => ({ role_id: roleId, permission_id })))
    .execute();
}

/** Removes one grant; false when the role did not have the permission. */
export async function deleteRolePermission(trx: Transaction<Database>, roleId: string, permissionId: string): Promise<boolean> {
  const row = await trx
    .deleteFrom('role_permissions')
    .where('role_id', '=', roleId)
    .where('permission_id', '=', permissionId)
    .returning('permission_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteAllRolePermissions(trx: Transaction<Database>, roleId: string): Promise<void> {
  await trx.deleteFrom('role_permissions').where('role_id', '=', roleId).execute();
}

/** The ids of the roles that hold the permission. */
export async function findRoleIdsWithPermission(db: Db, permissionId: string): Promise<string[]> {
  const rows = await db.selectFrom('role_permissions').select('role_id').where('permission_id', '=', permissionId).orderBy('role_id').execute();
  return rows.map((r) => r.role_id);
}

export async function recordRoleAudit(trx: Transaction<Database>, action: string, target: string, data: Json | null = null): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({ actor: 'backend_api', action, target, data: data === null ? null : JSON.stringify(data) })
    .execute();
}

/**
 * For a foreign-key violation (SQLSTATE 23503, PostgreSQL and PGlite alike), the referencing
 * table named by the error; null for any other error.
 */
export function foreignKeyViolationTable(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; table?: unknown; constraint?: unknown; message?: unknown };
  if (e.code !== '23503') return null;
  if (typeof e.table === 'string') return e.table;
  const text = `${typeof e.constraint === 'string' ? e.constraint : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  const m = /on table "([^"]+)"\s*$/.exec(text) ?? /(organization_invitations|organization_memberships|role_permissions)/.exec(text);
  return m?.[1] ?? '';
}
