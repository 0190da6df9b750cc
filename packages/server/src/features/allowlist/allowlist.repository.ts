// SQL for the sign-up allowlist.
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { AllowlistIdentifierRow, AllowlistIdentifiersTable } from './allowlist.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The unique index on identifier: it, not the service's pre-check, decides concurrent creates. */
export const ALLOWLIST_IDENTIFIER_UNIQUE = 'allowlist_identifiers_identifier_key';

/** Whether a canonical address is on the allowlist, itself or through `*@its-domain`. */
export async function isEmailAllowlisted(db: Db, email: string): Promise<boolean> {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const row = await db
    .selectFrom('allowlist_identifiers')
    .select('id')
    .where('identifier', 'in', [email, `*@${domain}`])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface AllowlistPage {
  /** null: every row. */
  limit: number | null;
  offset: number;
}

/** Newest first; ties (same created_at) break on id, which sorts in creation order. */
export async function listAllowlistIdentifiers(db: Db, page: AllowlistPage): Promise<AllowlistIdentifierRow[]> {
  let q = db.selectFrom('allowlist_identifiers').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
  if (page.limit !== null) q = q.limit(page.limit);
  if (page.offset > 0) q = q.offset(page.offset);
  return q.execute();
}

export async function countAllowlistIdentifiers(db: Db): Promise<number> {
  const row = await db.selectFrom('allowlist_identifiers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findAllowlistIdentifierByIdentifier(db: Db, identifier: string): Promise<AllowlistIdentifierRow | undefined> {
  return db.selectFrom('allowlist_identifiers').selectAll().where('identifier', '=', identifier).executeTakeFirst();
}

export async function insertAllowlistIdentifier(trx: Transaction<Database>, row: Insertable<AllowlistIdentifiersTable>): Promise<AllowlistIdentifierRow> {
  return trx.insertInto('allowlist_identifiers').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Deletes the row and returns it, or undefined when there was none. */
export async function deleteAllowlistIdentifierById(trx: Transaction<Database>, id: string): Promise<AllowlistIdentifierRow | undefined> {
  return trx.deleteFrom('allowlist_identifiers').where('id', '=', id).returningAll().executeTakeFirst();
}

export async function recordAllowlistAudit(trx: Transaction<Database>, action: string, target: string, data: Record<string, unknown>): Promise<void> {
  await trx.insertInto('audit_log').values({ actor: 'backend_api', action, target, data: JSON.stringify(data) }).execute();
}
