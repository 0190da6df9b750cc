// SQL for users and their email addresses. Reads never select password_digest: they return
// `password_enabled` (computed in SQL) instead, so a digest cannot reach a response by accident.
import { sql, type Insertable, type Kysely, type OrderByItemBuilder, type RawBuilder, type SelectQueryBuilder, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { EmailAddressRow, EmailAddressesTable, UserRow, UsersTable } from './user.table.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Json = Record<string, unknown>;

export type UserView = Omit<UserRow, 'password_digest' | 'password_hasher' | 'failed_sign_in_attempts' | 'locked_until'> & { password_enabled: boolean };

const userColumns = [
  'id', 'external_id', 'username', 'first_name', 'last_name', 'public_metadata', 'private_metadata', 'unsafe_metadata',
  'banned', 'locked', 'delete_self_enabled', 'create_organization_enabled', 'create_organizations_limit', 'locale',
  'primary_email_address_id', 'last_sign_in_at', 'last_active_at', 'legal_accepted_at', 'created_at', 'updated_at',
] as const satisfies readonly (keyof UserRow)[];
const passwordEnabled = sql<boolean>`password_digest IS NOT NULL`.as('password_enabled');

type MetadataColumns = 'public_metadata' | 'private_metadata' | 'unsafe_metadata';
export type NewUser = Omit<Insertable<UsersTable>, MetadataColumns> & Record<MetadataColumns, Json>;
export type UserPatch = Omit<Updateable<UsersTable>, MetadataColumns | 'id' | 'updated_at'> & Partial<Record<MetadataColumns, Json>>;
export type NewEmailAddress = Omit<Insertable<EmailAddressesTable>, 'created_at' | 'updated_at'>;

/** Which of these canonical addresses already belong to a user. */
export async function findClaimedEmails(db: Db, emails: string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const rows = await db.selectFrom('email_addresses').select('email').where('email', 'in', emails).execute();
  return rows.map((r) => r.email);
}

/** Whether another user (not `exceptUserId`) holds this username / external id. */
export async function findTakenIdentifiers(
  db: Db,
  ids: { username: string | null; externalId: string | null },
  exceptUserId?: string,
): Promise<{ username: boolean; externalId: boolean }> {
  const { username, externalId } = ids;
  if (username === null && externalId === null) return { username: false, externalId: false };
  let q = db
    .selectFrom('users')
    .select(['username', 'external_id'])
    .where((eb) =>
      eb.or([
        ...(username !== null ? [eb('username', '=', username)] : []),
        ...(externalId !== null ? [eb('external_id', '=', externalId)] : []),
      ]),
    );
  if (exceptUserId !== undefined) q = q.where('id', '!=', exceptUserId);
  const rows = await q.execute();
  return {
    username: username !== null && rows.some((r) => r.username === username),
    externalId: externalId !== null && rows.some((r) => r.external_id === externalId),
  };
}

function metadataToColumns(m: Partial<Record<MetadataColumns, Json>>): Partial<Record<MetadataColumns, string>> {
  const out: Partial<Record<MetadataColumns, string>> = {};
  for (const k of ['public_metadata', 'private_metadata', 'unsafe_metadata'] as const) {
    const v = m[k];
    if (v !== undefined) out[k] = JSON.stringify(v);
  }
  return out;
}

export async function insertUser(trx: Transaction<Database>, user: NewUser): Promise<UserView> {
  const { public_metadata, private_metadata, unsafe_metadata, ...rest } = user;
  return trx
    .insertInto('users')
    .values({ ...rest, ...metadataToColumns({ public_metadata, private_metadata, unsafe_metadata }) })
    .returning([...userColumns, passwordEnabled])
    .executeTakeFirstOrThrow();
}

export async function insertEmailAddresses(trx: Transaction<Database>, rows: NewEmailAddress[]): Promise<EmailAddressRow[]> {
  if (rows.length === 0) return [];
  return trx.insertInto('email_addresses').values(rows).returningAll().execute();
}

export async function findUserById(db: Db, id: string): Promise<UserView | undefined> {
  return db.selectFrom('users').select([...userColumns, passwordEnabled]).where('id', '=', id).executeTakeFirst();
}

/** An email address as the one-statement user read carries it (times in ms). */
interface EmailAddressJsonRow extends Omit<EmailAddressRow, 'created_at' | 'updated_at'> {
  created_at: number;
  updated_at: number;
}

/** The address (or addresses: a subquery) that a statement marks verified, and by which strategy. */
type VerifiedNow = ({ id: string | RawBuilder<string> } | { ids: RawBuilder<string> }) & { strategy: string };

/**
 * The user's addresses, oldest first (ids are time-ordered), as JSON inside the user's row. With
 * `verifiedNow`, the address that the same statement marks verified (by that strategy, if it was
 * not verified yet) is shown as it will be: a statement's reads do not see its own writes.
 */
function emailRowsOf(userId: RawBuilder<unknown>, verifiedNow?: VerifiedNow) {
  const isVerifiedNow = verifiedNow === undefined ? sql`false` : 'id' in verifiedNow ? sql`e.id = ${verifiedNow.id}` : sql`e.id IN (${verifiedNow.ids})`;
  const changed = verifiedNow ? sql`(${isVerifiedNow} AND e.verification_status <> 'verified')` : sql`false`;
  const status = verifiedNow ? sql`CASE WHEN ${changed} THEN 'verified' ELSE e.verification_status END` : sql`e.verification_status`;
  const strategy = verifiedNow ? sql`CASE WHEN ${changed} THEN ${verifiedNow.strategy} ELSE e.verification_strategy END` : sql`e.verification_strategy`;
  const updatedAt = verifiedNow ? sql`CASE WHEN ${changed} THEN now() ELSE e.updated_at END` : sql`e.updated_at`;
  return sql<EmailAddressJsonRow[]>`coalesce((
  SELECT json_agg(json_build_object(
           'id', e.id, 'user_id', e.user_id, 'email', e.email, 'verification_status', ${status},
           'verification_strategy', ${strategy}, 'reserved', e.reserved,
           'created_at', floor(extract(epoch FROM e.created_at) * 1000), 'updated_at', floor(extract(epoch FROM ${updatedAt}) * 1000))
         ORDER BY e.id)
    FROM email_addresses e WHERE e.user_id = ${userId}), '[]')`;
}

type UserWithEmailRows = UserView & { email_rows: EmailAddressJsonRow[] };

function withEmails(row: UserWithEmailRows): { user: UserView; emails: EmailAddressRow[] } {
  const { email_rows, ...user } = row;
  const emails = email_rows.map((e) => ({ ...e, created_at: new Date(Number(e.created_at)), updated_at: new Date(Number(e.updated_at)) }));
  return { user, emails };
}

/** The user and their email addresses in one statement (findUserById + findEmailAddressesByUserIds). */
export async function findUserWithEmails(db: Db, id: string): Promise<{ user: UserView; emails: EmailAddressRow[] } | undefined> {
  const row = await db.selectFrom('users').select([...userColumns, passwordEnabled, emailRowsOf(sql.ref('users.id')).as('email_rows')]).where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : withEmails(row);
}

/**
 * For the RETURNING list of a statement that updates users: the user's row as
 * findUserWithEmails reads it, as JSON in one column (`user_with_emails`), parsed by
 * userWithEmailsOf. `verifiedNow` as for emailRowsOf: its id a value, or an expression of the same
 * statement (the address a CTE of it found); or `ids`, a subquery of the addresses (a statement
 * that updates several users, correlated with `users.id`).
 */
export function returningUserWithEmails(verifiedNow: VerifiedNow) {
  const columns = sql.join(userColumns.map((c) => sql`${sql.lit(c)}, users.${sql.ref(c)}`));
  return sql`json_build_object(${columns}, 'password_enabled', users.password_digest IS NOT NULL, 'email_rows', ${emailRowsOf(sql.ref('users.id'), verifiedNow)}) AS user_with_emails`;
}

/** The value of returningUserWithEmails, with its times as Dates (ms precision, as pg reads them). */
export function userWithEmailsOf(json: Record<string, unknown>): { user: UserView; emails: EmailAddressRow[] } {
  const dates = ['last_sign_in_at', 'last_active_at', 'legal_accepted_at', 'created_at', 'updated_at'] as const;
  const row = { ...json } as Record<string, unknown>;
  for (const k of dates) row[k] = row[k] === null || row[k] === undefined ? null : new Date(String(row[k]));
  return withEmails(row as unknown as UserWithEmailRows);
}

export async function findUserByIdForUpdate(trx: Transaction<Database>, id: string): Promise<UserView | undefined> {
  return trx.selectFrom('users').select([...userColumns, passwordEnabled]).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The email addresses of all these users in one query, oldest first (ids are time-ordered). */
export async function findEmailAddressesByUserIds(db: Db, userIds: string[]): Promise<EmailAddressRow[]> {
  if (userIds.length === 0) return [];
  return db.selectFrom('email_addresses').selectAll().where('user_id', 'in', userIds).orderBy('id').execute();
}

export async function updateUserById(trx: Transaction<Database>, id: string, patch: UserPatch): Promise<UserView> {
  const { public_metadata, private_metadata, unsafe_metadata, ...rest } = patch;
  return trx
    .updateTable('users')
    .set({ ...rest, ...metadataToColumns({ public_metadata, private_metadata, unsafe_metadata }), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returning([...userColumns, passwordEnabled])
    .executeTakeFirstOrThrow();
}

/** Deletes the user (its email addresses go with it: ON DELETE CASCADE). False if there was none. */
export async function deleteUserById(trx: Transaction<Database>, id: string): Promise<boolean> {
  const row = await trx.deleteFrom('users').where('id', '=', id).returning('id').executeTakeFirst();
  return row !== undefined;
}

export async function recordUserAudit(trx: Transaction<Database>, action: string, userId: string, data: Json | null = null): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({ actor: 'backend_api', action, target: userId, data: data === null ? null : JSON.stringify(data) })
    .execute();
}

export interface UserFilter {
  /** Canonical addresses. */
  emails?: string[];
  userIds?: string[];
  externalIds?: string[];
  /** Lowercased. */
  usernames?: string[];
  /** A filter on something no user can have (phone numbers, wallets): the result is empty. */
  matchNothing?: boolean;
  /** NFKC + lowercase; matched as a substring. */
  query?: string;
  createdBefore?: Date;
  createdAfter?: Date;
  lastActiveBefore?: Date;
  lastActiveAfter?: Date;
  lastSignInBefore?: Date;
  lastSignInAfter?: Date;
}

function applyFilter<O>(qb: SelectQueryBuilder<Database, 'users', O>, f: UserFilter): SelectQueryBuilder<Database, 'users', O> {
  let q = qb;
  if (f.matchNothing) q = q.where(sql<boolean>`false`);
  const emails = f.emails;
  if (emails) {
    q = q.where('users.id', 'in', (eb) => eb.selectFrom('email_addresses').select('email_addresses.user_id').where('email_addresses.email', 'in', emails));
  }
  if (f.userIds) q = q.where('users.id', 'in', f.userIds);
  if (f.externalIds) q = q.where('users.external_id', 'in', f.externalIds);
  if (f.usernames) q = q.where('users.username', 'in', f.usernames);
  if (f.query) {
    const like = `%${f.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb.exists(
          eb.selectFrom('email_addresses').select(sql`1`.as('one')).whereRef('email_addresses.user_id', '=', 'users.id').where('email_addresses.email', 'like', like),
        ),
        eb('users.username', 'like', like),
        eb(sql<string>`lower(users.id)`, 'like', like),
        eb(sql<string>`lower(concat_ws(' ', users.first_name, users.last_name))`, 'like', like),
      ]),
    );
  }
  if (f.createdBefore) q = q.where('users.created_at', '<', f.createdBefore);
  if (f.createdAfter) q = q.where('users.created_at', '>', f.createdAfter);
  if (f.lastActiveBefore) q = q.where('users.last_active_at', '<', f.lastActiveBefore);
  if (f.lastActiveAfter) q = q.where('users.last_active_at', '>', f.lastActiveAfter);
  if (f.lastSignInBefore) q = q.where('users.last_sign_in_at', '<', f.lastSignInBefore);
  if (f.lastSignInAfter) q = q.where('users.last_sign_in_at', '>', f.lastSignInAfter);
  return q;
}

export type UserOrderColumn = 'created_at' | 'updated_at' | 'email_address' | 'first_name' | 'last_name' | 'last_sign_in_at' | 'last_active_at' | 'username';

export interface UserPage {
  limit: number;
  offset: number;
  orderBy: UserOrderColumn;
  direction: 'asc' | 'desc';
}

/**
 * One page of users. Rows without the sort value come last in either direction; ties break on id.
 * created_at/updated_at are NOT NULL and keep the plain direction, so the default order
 * (-created_at) walks users_created_at_idx instead of sorting the table.
 */
export async function listUsers(db: Db, f: UserFilter, page: UserPage): Promise<UserView[]> {
  const base = applyFilter(db.selectFrom('users').select([...userColumns, passwordEnabled]), f);
  const dir = page.direction;
  const nullsLast = (ob: OrderByItemBuilder) => (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast();
  let ordered;
  switch (page.orderBy) {
    case 'created_at':
    case 'updated_at':
      ordered = base.orderBy(`users.${page.orderBy}`, dir);
      break;
    case 'email_address':
      ordered = base.orderBy(sql`(SELECT e.email FROM email_addresses e WHERE e.id = users.primary_email_address_id)`, nullsLast);
      break;
    case 'first_name':
    case 'last_name':
      // Case-insensitive: "ada" and "Ada" sort together whatever the database collation.
      ordered = base.orderBy(sql`lower(${sql.ref(`users.${page.orderBy}`)})`, nullsLast);
      break;
    default:
      ordered = base.orderBy(`users.${page.orderBy}`, nullsLast);
  }
  return ordered.orderBy('users.id', dir).limit(page.limit).offset(page.offset).execute();
}

export async function countUsers(db: Db, f: UserFilter): Promise<number> {
  const row = await applyFilter(db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')), f).executeTakeFirstOrThrow();
  return Number(row.n);
}
