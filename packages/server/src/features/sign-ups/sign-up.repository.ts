// SQL for sign-up attempts.
import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { SignUpRow, SignUpsTable } from './sign-up.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Attempts are abandoned after a day without completing. */
const ABANDON_AFTER = sql<Date>`now() + interval '1 day'`;

export async function insertSignUp(db: Db, row: Omit<Insertable<SignUpsTable>, 'abandon_at'>): Promise<SignUpRow> {
  return db.insertInto('sign_ups').values({ ...row, abandon_at: ABANDON_AFTER }).returningAll().executeTakeFirstOrThrow();
}

export async function findSignUpOfClient(db: Db, clientId: string, id: string): Promise<SignUpRow | undefined> {
  return db.selectFrom('sign_ups').selectAll().where('client_id', '=', clientId).where('id', '=', id).executeTakeFirst();
}

/** The same, locked for the rest of the transaction (one attempt at a time per sign-up). */
export async function findSignUpOfClientForUpdate(trx: Transaction<Database>, clientId: string, id: string): Promise<SignUpRow | undefined> {
  return trx.selectFrom('sign_ups').selectAll().where('client_id', '=', clientId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The client's newest sign-up still in progress (not complete, not abandoned), if any. */
export async function findOpenSignUpOfClient(db: Db, clientId: string): Promise<SignUpRow | undefined> {
  return db
    .selectFrom('sign_ups')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('status', '=', 'missing_requirements')
    .where('abandon_at', '>', sql<Date>`now()`)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function updateSignUp(db: Db, id: string, patch: Updateable<SignUpsTable>): Promise<SignUpRow> {
  return db
    .updateTable('sign_ups')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
