import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { PendingEmailAddressesTable, PendingEmailAddressRow } from './pending-email-address.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function findPendingEmailAddressForUpdate(trx: Transaction<Database>, userId: string, id: string): Promise<PendingEmailAddressRow | undefined> {
  return trx.selectFrom('pending_email_addresses').selectAll().where('user_id', '=', userId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function countPendingEmailAddresses(trx: Transaction<Database>, userId: string): Promise<number> {
  const r = await trx.selectFrom('pending_email_addresses').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function findPendingEmailAddressByEmail(db: Db, userId: string, email: string): Promise<PendingEmailAddressRow | undefined> {
  return db.selectFrom('pending_email_addresses').selectAll().where('user_id', '=', userId).where('email', '=', email).executeTakeFirst();
}

export async function insertPendingEmailAddress(trx: Transaction<Database>, row: { id: string; user_id: string; email: string }): Promise<PendingEmailAddressRow> {
  return trx.insertInto('pending_email_addresses').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updatePendingEmailAddress(trx: Transaction<Database>, id: string, patch: Updateable<PendingEmailAddressesTable>): Promise<PendingEmailAddressRow> {
  return trx.updateTable('pending_email_addresses').set({ ...patch, updated_at: sql<Date>`now()` }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deletePendingEmailAddress(db: Db, userId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('pending_email_addresses').where('user_id', '=', userId).where('id', '=', id).returning('id').executeTakeFirst();
  return r !== undefined;
}
