// SQL for organization permissions (the 9 system permissions are seeded; custom ones are 'user').
import { sql, type Insertable, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { likePattern, type NameKeyFilter, type NameKeyPage } from './role.repository.ts';
import type { PermissionRow, PermissionsTable } from './role.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function findPermissionById(db: Db, id: string): Promise<PermissionRow | undefined> {
  return db.selectFrom('permissions').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The permission, locked against concurrent writes to it. 'no key update' (for edits) lets a
 * grant to a role proceed; 'update' (for a delete) makes a concurrent grant wait, then fail on
 * the foreign key, so the delete knows every role that loses the permission.
 */
export async function findPermissionByIdForUpdate(trx: Transaction<Database>, id: string, lock: 'update' | 'no key update'): Promise<PermissionRow | undefined> {
  const q = trx.selectFrom('permissions').selectAll().where('id', '=', id);
  return (lock === 'update' ? q.forUpdate() : q.forNoKeyUpdate()).executeTakeFirst();
}

export async function findPermissionsByIds(db: Db, ids: readonly string[]): Promise<PermissionRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('permissions').selectAll().where('id', 'in', ids).execute();
}

export async function findPermissionByKey(db: Db, key: string): Promise<PermissionRow | undefined> {
  return db.selectFrom('permissions').selectAll().where('key', '=', key).executeTakeFirst();
}

function applyPermissionFilter<O>(qb: SelectQueryBuilder<Database, 'permissions', O>, f: NameKeyFilter): SelectQueryBuilder<Database, 'permissions', O> {
  const query = f.query;
  if (!query) return qb;
  const like = likePattern(query);
  return qb.where((eb) =>
    eb.or([eb('permissions.id', '=', query), eb(sql<string>`lower(permissions.name)`, 'like', like), eb('permissions.key', 'like', like)]),
  );
}

export async function listPermissions(db: Db, f: NameKeyFilter, page: NameKeyPage): Promise<PermissionRow[]> {
  return applyPermissionFilter(db.selectFrom('permissions').selectAll(), f)
    .orderBy(page.orderBy === 'name' ? sql`lower(permissions.name)` : sql.ref(`permissions.${page.orderBy}`), page.direction)
    .orderBy('permissions.id', page.direction)
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countPermissions(db: Db, f: NameKeyFilter): Promise<number> {
  const row = await applyPermissionFilter(db.selectFrom('permissions').select((eb) => eb.fn.countAll<number>().as('n')), f).executeTakeFirstOrThrow();
  return Number(row.n);
}

export type NewPermission = Omit<Insertable<PermissionsTable>, 'type'>;

/** Inserts a custom permission: type 'user' always (system permissions only come from migrations). */
export async function insertUserPermission(trx: Transaction<Database>, permission: NewPermission): Promise<PermissionRow> {
  return trx.insertInto('permissions').values({ ...permission, type: 'user' }).returningAll().executeTakeFirstOrThrow();
}

export interface PermissionPatch {
  key?: string;
  name?: string;
  description?: string;
}

export async function updatePermissionById(trx: Transaction<Database>, id: string, patch: PermissionPatch): Promise<PermissionRow> {
  return trx
    .updateTable('permissions')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes the permission; its grants to roles go with it (role_permissions ON DELETE CASCADE). */
export async function deletePermissionById(trx: Transaction<Database>, id: string): Promise<void> {
  await trx.deleteFrom('permissions').where('id', '=', id).execute();
}
