// Email addresses by id (the Backend API's emailAddresses). Adding one is insertEmailAddresses
// (users/user.repository.ts), as for a new user.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { EmailAddressRow } from '../users/user.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function findEmailAddressById(db: Db, id: string): Promise<EmailAddressRow | undefined> {
  return db.selectFrom('email_addresses').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The address's owner, for the caller to lock (FOR UPDATE) before changing either. */
export async function findEmailAddressOwner(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('email_addresses').select('user_id').where('id', '=', id).executeTakeFirst();
  return row?.user_id;
}

export async function setEmailAddressVerified(trx: Transaction<Database>, id: string, verified: boolean): Promise<EmailAddressRow> {
  return trx
    .updateTable('email_addresses')
    .set(verified ? { verification_status: 'verified', verification_strategy: 'admin', reserved: false, updated_at: sql<Date>`now()` } : { verification_status: 'unverified', updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteEmailAddressById(trx: Transaction<Database>, id: string): Promise<void> {
  await trx.deleteFrom('email_addresses').where('id', '=', id).execute();
}
