// SQL for sign-in attempts, and for the password lockout counters on users.
import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { SignInRow, SignInsTable } from './sign-in.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

const ABANDON_AFTER = sql<Date>`now() + interval '1 day'`;

export async function insertSignIn(db: Db, row: Omit<Insertable<SignInsTable>, 'abandon_at'>): Promise<SignInRow> {
  return db.insertInto('sign_ins').values({ ...row, abandon_at: ABANDON_AFTER }).returningAll().executeTakeFirstOrThrow();
}

export async function findSignInOfClient(db: Db, clientId: string, id: string): Promise<SignInRow | undefined> {
  return db.selectFrom('sign_ins').selectAll().where('client_id', '=', clientId).where('id', '=', id).executeTakeFirst();
}

export async function findSignInOfClientForUpdate(trx: Transaction<Database>, clientId: string, id: string): Promise<SignInRow | undefined> {
  return trx.selectFrom('sign_ins').selectAll().where('client_id', '=', clientId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findOpenSignInOfClient(db: Db, clientId: string): Promise<SignInRow | undefined> {
  return db
    .selectFrom('sign_ins')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('status', 'in', ['needs_identifier', 'needs_first_factor'])
    .where('abandon_at', '>', sql<Date>`now()`)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function updateSignIn(db: Db, id: string, patch: Updateable<SignInsTable>): Promise<SignInRow> {
  return db
    .updateTable('sign_ins')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface SignInUser {
  id: string;
  email_address_id: string;
  email: string;
  verification_status: string;
  first_name: string | null;
  last_name: string | null;
  password_digest: string | null;
  password_hasher: string | null;
  banned: boolean;
  locked: boolean;
  /** Seconds until the lockout ends; null when not locked out. */
  lockout_seconds_left: number | null;
}

function signInUsers(db: Db) {
  return db
    .selectFrom('users as u')
    .innerJoin('email_addresses as e', 'e.user_id', 'u.id')
    .select([
      'u.id',
      'e.id as email_address_id',
      'e.email',
      'e.verification_status',
      'u.first_name',
      'u.last_name',
      'u.password_digest',
      'u.password_hasher',
      'u.banned',
      'u.locked',
      sql<number | null>`CASE WHEN u.locked_until > now() THEN ceil(extract(epoch FROM u.locked_until - now()))::int END`.as('lockout_seconds_left'),
    ]);
}

/** The user owning a canonical address, with what sign-in needs (the digest never leaves the service). */
export async function findSignInUserByEmail(db: Db, email: string): Promise<SignInUser | undefined> {
  return signInUsers(db).where('e.email', '=', email).executeTakeFirst();
}

/** The user with one of their addresses: the one named, else the primary one. */
export async function findSignInUserById(db: Db, userId: string, emailAddressId: string | null): Promise<SignInUser | undefined> {
  const q = signInUsers(db).where('u.id', '=', userId);
  return (emailAddressId !== null ? q.where('e.id', '=', emailAddressId) : q.whereRef('e.id', '=', 'u.primary_email_address_id')).executeTakeFirst();
}

/**
 * Counts a failed attempt; the `maxAttempts`-th in a row locks the account for `lockSeconds` and
 * starts the count again. Returns the seconds left of a lockout it started, or null.
 */
export async function recordFailedAttempt(db: Db, userId: string, maxAttempts: number, lockSeconds: number): Promise<number | null> {
  const row = await db
    .updateTable('users')
    .set({
      failed_sign_in_attempts: sql<number>`CASE WHEN failed_sign_in_attempts + 1 >= ${maxAttempts} THEN 0 ELSE failed_sign_in_attempts + 1 END`,
      locked_until: sql<Date>`CASE WHEN failed_sign_in_attempts + 1 >= ${maxAttempts} THEN now() + make_interval(secs => ${lockSeconds}) ELSE locked_until END`,
    })
    .where('id', '=', userId)
    .returning(sql<number | null>`CASE WHEN locked_until > now() THEN ${lockSeconds} END`.as('locked_for'))
    .executeTakeFirst();
  return row?.locked_for ?? null;
}

export async function resetFailedAttempts(db: Db, userId: string): Promise<void> {
  await db.updateTable('users').set({ failed_sign_in_attempts: 0 }).where('id', '=', userId).where('failed_sign_in_attempts', '>', 0).execute();
}

export async function markEmailVerified(db: Db, emailAddressId: string, strategy: string): Promise<void> {
  await db
    .updateTable('email_addresses')
    .set({ verification_status: 'verified', verification_strategy: strategy, updated_at: sql<Date>`now()` })
    .where('id', '=', emailAddressId)
    .where('verification_status', '!=', 'verified')
    .execute();
}
