// SQL for sign-in attempts, and for the password lockout counters on users.
import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import { compileOnce } from '../../db/compile-once.ts';
import type { Database } from '../../db/database.ts';
import type { SessionRow } from '../clients/client.table.ts';
import { returningUserWithEmails, userWithEmailsOf, type UserView } from '../users/user.repository.ts';
import type { EmailAddressRow } from '../users/user.table.ts';
import type { SignInRow, SignInsTable } from './sign-in.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

const ABANDON_AFTER = sql<Date>`now() + interval '1 day'`;

export async function insertSignIn(db: Db, row: Omit<Insertable<SignInsTable>, 'abandon_at'>): Promise<SignInRow> {
  return db.insertInto('sign_ins').values({ ...row, abandon_at: ABANDON_AFTER }).returningAll().executeTakeFirstOrThrow();
}

export interface TicketSignIn {
  /** The ticket's purpose-bound hash (ticket.accept.ts ticketLookup). */
  ticketHash: Buffer;
  membershipId: string;
  clientId: string;
  clientTokenHash: Buffer;
  sessionId: string;
  signInId: string;
}

export interface TicketSignedIn {
  invitationId: string;
  account: SignInUser;
  session: SessionRow;
  signIn: SignInRow;
  /** The user with their addresses as they now are (the invited one verified). */
  user: { user: UserView; emails: EmailAddressRow[] };
}

/** The columns of one item of signInWithOrganizationTickets, each sent as one text array (a slot of the statement). */
const ITEM_COLUMNS = ['ticket_hash', 'membership_id', 'client_id', 'client_token_hash', 'session_id', 'sign_in_id'] as const;

/**
 * signInWithOrganizationTickets's statement, built and compiled once (db/compile-once.ts): one
 * text array per item column (hashes hex-encoded), so the text is the same for any number of
 * items and is prepared once.
 */
const ticketSignInStatement = compileOnce<(typeof ITEM_COLUMNS)[number] | 'lifetime'>((db, v) => {
  const lifetime = sql<Date>`now() + make_interval(secs => ${v('lifetime')}::int)`;
  const account = signInUsers(db).where('e.email', '=', sql.ref<string>('t.email')).where('u.banned', '=', false).where('u.locked', '=', false);
  // Each array behind a subquery: the planner then guesses the same number of items whatever the
  // values (it reads a literal array's length), so the prepared statement's generic plan costs what
  // a custom one does and is kept, instead of the statement being planned again at every run.
  const arrays = sql.join(ITEM_COLUMNS.map((c) => sql`(SELECT ${v(c)}::text[])`));
  return sql`
    WITH item AS (
      SELECT * FROM unnest(${arrays}) WITH ORDINALITY AS x(${sql.join(ITEM_COLUMNS.map((c) => sql.id(c)))}, n)
    ),
    ticket AS (
      SELECT item.*, i.id AS invitation_id, i.email
        FROM item JOIN organization_invitations i ON i.ticket_hash = decode(item.ticket_hash, 'hex')
        JOIN organizations o ON o.id = i.organization_id
       WHERE i.status = 'pending' AND i.expires_at > now() AND o.max_allowed_memberships = 0
    ),
    account AS (
      SELECT t.n, t.invitation_id, t.membership_id, t.client_id, t.client_token_hash, t.session_id, t.sign_in_id,
             to_jsonb(a) AS account, a.id AS user_id, a.email_address_id, a.email
        FROM ticket t CROSS JOIN LATERAL (${account}) a
    ),
    claimed AS (
      UPDATE organization_invitations SET status = 'accepted', accepted_user_id = account.user_id, updated_at = now()
        FROM account
       WHERE organization_invitations.id = account.invitation_id AND organization_invitations.status = 'pending' AND organization_invitations.expires_at > now()
       RETURNING organization_invitations.id, organization_id, role_id, public_metadata, private_metadata, account.*
    ),
    verified AS (
      UPDATE email_addresses SET verification_status = 'verified', verification_strategy = 'ticket', updated_at = now()
       WHERE id IN (SELECT email_address_id FROM claimed) AND verification_status <> 'verified'
    ),
    joined AS (
      INSERT INTO organization_memberships (id, organization_id, user_id, role_id, public_metadata, private_metadata)
      SELECT membership_id, organization_id, user_id, role_id, public_metadata, private_metadata FROM claimed ORDER BY n
      ON CONFLICT (organization_id, user_id) DO NOTHING
      RETURNING id
    ),
    audited AS (
      INSERT INTO audit_log (actor, action, target, data)
      SELECT actor, action, target, data FROM (
        SELECT n, 1 AS k, user_id AS actor, 'organization_membership.created' AS action, organization_id AS target,
               jsonb_build_object('user_id', user_id, 'invitation_id', id) AS data
          FROM claimed WHERE membership_id IN (SELECT id FROM joined)
        UNION ALL
        SELECT n, 2, user_id, 'organization_invitation.accepted', id, NULL::jsonb FROM claimed
      ) rows ORDER BY n, k
    ),
    signed_in_user AS (
      UPDATE users SET last_sign_in_at = now(), last_active_at = now() WHERE id IN (SELECT user_id FROM claimed)
      RETURNING users.id, ${returningUserWithEmails({ ids: sql<string>`SELECT email_address_id FROM claimed WHERE claimed.user_id = users.id`, strategy: 'ticket' })}
    ),
    new_client AS (
      INSERT INTO clients (id, token_hash) SELECT client_id, decode(client_token_hash, 'hex') FROM claimed ORDER BY n
    ),
    new_session AS (
      INSERT INTO sessions (id, client_id, user_id, status, active_organization_id, expire_at, abandon_at)
      SELECT session_id, client_id, user_id, 'active', organization_id, ${lifetime}, ${lifetime} FROM claimed ORDER BY n
      RETURNING *
    ),
    new_sign_in AS (
      INSERT INTO sign_ins (id, client_id, status, identifier, user_id, first_factor_strategy, first_factor_status, created_session_id, abandon_at)
      SELECT c.sign_in_id, c.client_id, 'complete', c.email, c.user_id, 'ticket', 'verified', s.id, ${ABANDON_AFTER}
        FROM claimed c JOIN new_session s ON s.id = c.session_id ORDER BY c.n
      RETURNING id, abandon_at, created_at, updated_at
    )
    SELECT c.n, s.*, si.abandon_at AS sign_in_abandon_at, si.created_at AS sign_in_created_at, si.updated_at AS sign_in_updated_at,
           c.id AS invitation_id, c.account, u.user_with_emails
      FROM claimed c JOIN new_session s ON s.id = c.session_id JOIN new_sign_in si ON si.id = c.sign_in_id JOIN signed_in_user u ON u.id = c.user_id`;
});

/**
 * Sign-ins with organization invitations' tickets, in their most common case (a browser without a
 * client, an existing account that is neither banned nor locked, an organization without a seat
 * limit), any number of them in ONE statement, ticket lookups included. For each: the conditional
 * claim of the invitation (pending and unexpired), the invited address marked verified, the
 * membership with the invited role and metadata (unless the user already is a member), the audit
 * rows, a new client with its session (the organization active), the user's last sign-in time, and
 * the complete sign-in. It returns the account as signInUsers reads it and the user with their
 * addresses as they now are (for the session JSON, without reading them again).
 *
 * Each item hangs off its claim, and the claim off its lookup: when this case does not apply to an
 * item (unknown, used, revoked or expired ticket, no account, a banned or locked one, a seat limit,
 * another request won), nothing is written for it and its answer is undefined; the caller then
 * takes the general path, which tells which. Items do not depend on each other, except that two
 * items must not carry the same ticket (the caller sees to it). The same rules as
 * acceptTicketForUser + startSession + insertSignIn (ticket.accept.ts, client.service.ts), which
 * serve every other case.
 */
export async function signInWithOrganizationTickets(db: Kysely<Database>, items: readonly TicketSignIn[], sessionLifetimeSeconds: number): Promise<(TicketSignedIn | undefined)[]> {
  const hex = (b: Buffer) => b.toString('hex');
  const r = await db.executeQuery(
    ticketSignInStatement<SessionRow & { n: string; sign_in_abandon_at: Date; sign_in_created_at: Date; sign_in_updated_at: Date; invitation_id: string; account: SignInUser; user_with_emails: Record<string, unknown> }>(db, {
      ticket_hash: items.map((a) => hex(a.ticketHash)),
      membership_id: items.map((a) => a.membershipId),
      client_id: items.map((a) => a.clientId),
      client_token_hash: items.map((a) => hex(a.clientTokenHash)),
      session_id: items.map((a) => a.sessionId),
      sign_in_id: items.map((a) => a.signInId),
      lifetime: sessionLifetimeSeconds,
    }),
  );
  const answers: (TicketSignedIn | undefined)[] = items.map(() => undefined);
  for (const row of r.rows) {
    const { n, sign_in_abandon_at, sign_in_created_at, sign_in_updated_at, invitation_id, account: acct, user_with_emails, ...session } = row;
    const a = items[Number(n) - 1]!;
    answers[Number(n) - 1] = {
      invitationId: invitation_id,
      account: acct,
      session,
      user: userWithEmailsOf(user_with_emails),
      signIn: {
        id: a.signInId,
        client_id: a.clientId,
        status: 'complete',
        identifier: acct.email,
        user_id: acct.id,
        first_factor_strategy: 'ticket',
        first_factor_status: 'verified',
        code_email_address_id: null,
        code_hash: null,
        code_expires_at: null,
        code_attempts: 0,
        created_session_id: session.id,
        abandon_at: sign_in_abandon_at,
        created_at: sign_in_created_at,
        updated_at: sign_in_updated_at,
      },
    };
  }
  return answers;
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

/**
 * Swaps the account's password digest for one made with another hasher, only if the stored digest
 * is still `previous` (a password changed meanwhile wins). The password itself is unchanged, so is
 * the user's updated_at.
 */
export async function replacePasswordDigest(db: Db, userId: string, previous: string, digest: string, hasher: string): Promise<void> {
  await db.updateTable('users').set({ password_digest: digest, password_hasher: hasher }).where('id', '=', userId).where('password_digest', '=', previous).execute();
}

/**
 * The account owning the address in `emailColumn` of an outer query, as one JSON value (null when
 * none): for reading it in the same statement as that query (a ticket and its invitee's account).
 */
export function signInUserOfAddress(db: Db, emailColumn: string) {
  return jsonObjectFrom(signInUsers(db).where('e.email', '=', sql.ref<string>(emailColumn)));
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
