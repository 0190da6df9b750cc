// SQL for consuming invitations. Claiming is one conditional UPDATE (pending and not yet expired),
// so of two transactions racing for one invitation exactly one gets the row: the second waits on
// the row lock, re-checks the condition after the first commits, and updates nothing.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { InvitationStatus } from '../invitations/invitation.table.ts';
import { signInUserOfAddress, type SignInUser } from '../sign-ins/sign-in.repository.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Json = Record<string, unknown>;

export interface TicketRow {
  kind: 'invitation' | 'organization_invitation';
  id: string;
  email: string;
  /** Effective status: pending past expires_at reads as expired. */
  status: InvitationStatus;
  redirect_url: string | null;
  public_metadata: Json;
  private_metadata: Json;
  /** Organization invitations only. */
  organization_id: string | null;
  role_id: string | null;
  /**
   * The organization's max_allowed_memberships when the row was read (0 = no limit); null for an
   * application invitation. A hint for how to lock (ticket.accept.ts): the limit that counts is
   * the one read again under the lock.
   */
  seat_limit: number | null;
  /** With `withAccount`: the account owning the invited address (null when none). */
  account?: SignInUser | null;
}

/** An audit row of an acceptance. */
export interface TicketAudit {
  actor: string;
  action: string;
  target: string;
  data?: Json | null;
}

const appStatus = sql<InvitationStatus>`CASE WHEN status = 'pending' AND expires_at <= now() THEN 'expired' ELSE status END`;

/**
 * The application invitation with this ticket hash (any status), or undefined; withAccount: with
 * the account owning its address, read in the same statement.
 */
export async function findInvitationTicket(db: Db, hash: Buffer, withAccount = false): Promise<TicketRow | undefined> {
  const row = await db
    .selectFrom('invitations')
    .select(['id', 'email', 'redirect_url', 'public_metadata', appStatus.as('status')])
    .$if(withAccount, (q) => q.select(signInUserOfAddress(db, 'invitations.email').as('account')))
    .where('ticket_hash', '=', hash)
    .executeTakeFirst();
  return row && { kind: 'invitation', ...row, private_metadata: {}, organization_id: null, role_id: null, seat_limit: null };
}

/** The application invitation by id (any status), or undefined. */
export async function findInvitationRow(db: Db, id: string): Promise<TicketRow | undefined> {
  const row = await db
    .selectFrom('invitations')
    .select(['id', 'email', 'redirect_url', 'public_metadata', appStatus.as('status')])
    .where('id', '=', id)
    .executeTakeFirst();
  return row && { kind: 'invitation', ...row, private_metadata: {}, organization_id: null, role_id: null, seat_limit: null };
}

const orgStatus = sql<InvitationStatus>`CASE WHEN i.status = 'pending' AND i.expires_at <= now() THEN 'expired' ELSE i.status END`;

/** An organization invitation with its organization's seat limit (0 when the organization is gone: the claim then fails). */
const organizationInvitationTickets = (db: Db) =>
  db
    .selectFrom('organization_invitations as i')
    .leftJoin('organizations as o', 'o.id', 'i.organization_id')
    .select([
      'i.id', 'i.email', 'i.redirect_url', 'i.public_metadata', 'i.private_metadata', 'i.organization_id', 'i.role_id',
      orgStatus.as('status'),
      sql<number>`coalesce(o.max_allowed_memberships, 0)`.as('seat_limit'),
    ]);

/** The organization invitation with this ticket hash (any status), or undefined; withAccount as for findInvitationTicket. */
export async function findOrganizationInvitationTicket(db: Db, hash: Buffer, withAccount = false): Promise<TicketRow | undefined> {
  const row = await organizationInvitationTickets(db)
    .$if(withAccount, (q) => q.select(signInUserOfAddress(db, 'i.email').as('account')))
    .where('i.ticket_hash', '=', hash)
    .executeTakeFirst();
  return row && { kind: 'organization_invitation', ...row };
}

/** The organization invitation by id (any status), or undefined. */
export async function findOrganizationInvitationRow(db: Db, id: string): Promise<TicketRow | undefined> {
  const row = await organizationInvitationTickets(db).where('i.id', '=', id).executeTakeFirst();
  return row && { kind: 'organization_invitation', ...row };
}

/**
 * pending → accepted (or → revoked: declined by the invitee), only while pending and unexpired;
 * false when another request won or it lapsed.
 */
export async function claimInvitation(
  trx: Transaction<Database>,
  kind: TicketRow['kind'],
  id: string,
  userId: string | null,
  to: 'accepted' | 'revoked' = 'accepted',
): Promise<boolean> {
  const table = kind === 'invitation' ? 'invitations' : 'organization_invitations';
  const res = await trx
    .updateTable(table)
    .set({ status: to, ...(to === 'accepted' ? { accepted_user_id: userId } : {}), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Records who accepted, once the user exists (a sign-up claims before it inserts the user). */
export async function setAcceptedUser(trx: Transaction<Database>, kind: TicketRow['kind'], id: string, userId: string): Promise<void> {
  const table = kind === 'invitation' ? 'invitations' : 'organization_invitations';
  await trx.updateTable(table).set({ accepted_user_id: userId }).where('id', '=', id).execute();
}

export async function recordTicketAudit(trx: Transaction<Database>, actor: string, action: string, target: string, data: Json | null = null): Promise<void> {
  await recordTicketAudits(trx, [{ actor, action, target, data }]);
}

/** Several audit rows in one statement, in this order. */
export async function recordTicketAudits(trx: Transaction<Database>, rows: readonly TicketAudit[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('audit_log')
    .values(rows.map((r) => ({ actor: r.actor, action: r.action, target: r.target, data: r.data == null ? null : JSON.stringify(r.data) })))
    .execute();
}
