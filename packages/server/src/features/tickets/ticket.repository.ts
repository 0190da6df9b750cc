// SQL for consuming invitations. Claiming is one conditional UPDATE (pending and not yet expired),
// so of two transactions racing for one invitation exactly one gets the row: the second waits on
// the row lock, re-checks the condition after the first commits, and updates nothing.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { InvitationStatus } from '../invitations/invitation.table.ts';

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
}

const appStatus = sql<InvitationStatus>`CASE WHEN status = 'pending' AND expires_at <= now() THEN 'expired' ELSE status END`;

/** The application invitation with this ticket hash (any status), or undefined. */
export async function findInvitationTicket(db: Db, hash: Buffer): Promise<TicketRow | undefined> {
  const row = await db
    .selectFrom('invitations')
    .select(['id', 'email', 'redirect_url', 'public_metadata', appStatus.as('status')])
    .where('ticket_hash', '=', hash)
    .executeTakeFirst();
  return row && { kind: 'invitation', ...row, private_metadata: {}, organization_id: null, role_id: null };
}

/** The application invitation by id (any status), or undefined. */
export async function findInvitationRow(db: Db, id: string): Promise<TicketRow | undefined> {
  const row = await db
    .selectFrom('invitations')
    .select(['id', 'email', 'redirect_url', 'public_metadata', appStatus.as('status')])
    .where('id', '=', id)
    .executeTakeFirst();
  return row && { kind: 'invitation', ...row, private_metadata: {}, organization_id: null, role_id: null };
}

/** The organization invitation with this ticket hash (any status), or undefined. */
export async function findOrganizationInvitationTicket(db: Db, hash: Buffer): Promise<TicketRow | undefined> {
  const row = await db
    .selectFrom('organization_invitations')
    .select(['id', 'email', 'redirect_url', 'public_metadata', 'private_metadata', 'organization_id', 'role_id', appStatus.as('status')])
    .where('ticket_hash', '=', hash)
    .executeTakeFirst();
  return row && { kind: 'organization_invitation', ...row };
}

/** The organization invitation by id (any status), or undefined. */
export async function findOrganizationInvitationRow(db: Db, id: string): Promise<TicketRow | undefined> {
  const row = await db
    .selectFrom('organization_invitations')
    .select(['id', 'email', 'redirect_url', 'public_metadata', 'private_metadata', 'organization_id', 'role_id', appStatus.as('status')])
    .where('id', '=', id)
    .executeTakeFirst();
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
  await trx
    .insertInto('audit_log')
    .values({ actor, action, target, data: data === null ? null : JSON.stringify(data) })
    .execute();
}
